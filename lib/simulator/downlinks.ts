/**
 * Downlinks: strict validation of the beta actuator's SenML body, and the store of accepted
 * downlinks that GET /downlinks lists.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, isObject } from './http';

export const MAX_PAYLOAD_BYTES = 222;

export interface DownlinkRequest {
  devEUI: string;
  payloadHex: string;
}

export interface DownlinkRecord extends Record<string, unknown> {
  id: string;
  clientId: string;
  deviceId: string;
  /** The device URN with its trailing colon, like every SenML base name in the docs, e.g.
   * urn:dev:DEVEUI:0123456789ABCDEF: (what `q` matches exactly). */
  tagValue: string;
  networkId: string;
  message: string;
  devEUI: string;
  port: number;
  payloadHex: string;
  externalReference: string | null;
  status: 'QUEUED';
  createdAt: string;
  modifiedAt: string;
}

const FIELD_TYPES: Record<string, 'string' | 'number' | 'boolean'> = {
  bn: 'string',
  bt: 'number',
  bu: 'string',
  bv: 'number',
  bver: 'number',
  n: 'string',
  u: 'string',
  v: 'number',
  vs: 'string',
  vb: 'boolean',
  vd: 'string',
  s: 'number',
  t: 'number',
  ut: 'number',
};

const DEVEUI_BASE_NAME = /^urn:dev:DEVEUI:([0-9A-Fa-f]{16}):$/;

/** Validates the SenML body of a raw LoRa downlink; throws a 400 naming the problem. */
export function parseDownlinkSenml(body: unknown): DownlinkRequest {
  if (!Array.isArray(body)) throw badRequest('The request body must be a SenML array.');
  if (body.length === 0) throw badRequest('The SenML array must not be empty.');
  let baseName: string | undefined;
  let found: DownlinkRequest | undefined;
  for (let index = 0; index < body.length; index++) {
    const record: unknown = body[index];
    if (!isObject(record)) throw badRequest(`SenML record ${index} must be an object.`);
    for (const [field, type] of Object.entries(FIELD_TYPES)) {
      if (field in record && typeof record[field] !== type) {
        throw badRequest(`SenML record ${index}: '${field}' must be a ${type}.`);
      }
    }
    if (typeof record.bn === 'string') baseName = record.bn;
    if (record.n !== 'payloadHex') continue;
    if (found) throw badRequest("The SenML array must contain exactly one 'payloadHex' record.");
    const match = baseName === undefined ? null : DEVEUI_BASE_NAME.exec(baseName);
    if (!match) {
      throw badRequest(
        `SenML record ${index}: the base name 'bn' must be 'urn:dev:DEVEUI:{16 hex digits}:' (got ${JSON.stringify(baseName ?? null)}).`,
      );
    }
    if ('v' in record || 'vb' in record || 'vd' in record) {
      throw badRequest(`SenML record ${index}: the payload must be given in 'vs' only.`);
    }
    const payload = record.vs;
    if (typeof payload !== 'string' || payload.length === 0) {
      throw badRequest(`SenML record ${index}: 'vs' must be a non-empty hex string.`);
    }
    if (!/^[0-9A-Fa-f]*$/.test(payload))
      throw badRequest(`SenML record ${index}: 'vs' must contain hex digits only.`);
    if (payload.length % 2 !== 0)
      throw badRequest(`SenML record ${index}: 'vs' must have an even number of hex digits.`);
    if (payload.length / 2 > MAX_PAYLOAD_BYTES) {
      throw badRequest(
        `SenML record ${index}: the payload must not be longer than ${MAX_PAYLOAD_BYTES} bytes.`,
      );
    }
    found = { devEUI: match[1].toUpperCase(), payloadHex: payload.toUpperCase() };
  }
  if (!found) throw badRequest("The SenML array must contain a record with n = 'payloadHex'.");
  return found;
}

export class DownlinkStore {
  private readonly records: DownlinkRecord[] = [];

  /** Changes whenever a downlink is added (invalidates cached list queries). */
  get version(): number {
    return this.records.length;
  }

  add(input: {
    clientId: string;
    deviceId: string;
    devEUI: string;
    port: number;
    payloadHex: string;
    externalReference: string | null;
  }): DownlinkRecord {
    const now = new Date().toISOString();
    const tagValue = `urn:dev:DEVEUI:${input.devEUI}:`;
    const record: DownlinkRecord = {
      id: randomUUID(),
      clientId: input.clientId,
      deviceId: input.deviceId,
      tagValue,
      networkId: input.devEUI,
      message: input.payloadHex,
      devEUI: input.devEUI,
      port: input.port,
      payloadHex: input.payloadHex,
      externalReference: input.externalReference,
      status: 'QUEUED',
      createdAt: now,
      modifiedAt: now,
    };
    this.records.push(record);
    return record;
  }

  forClient(clientId: string): DownlinkRecord[] {
    return this.records.filter((record) => record.clientId === clientId);
  }
}
