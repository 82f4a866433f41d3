/**
 * Downlinks: what a LoRa downlink is (DevEUI, FPort, hex payload, reference), validated and turned
 * into the SenML body of the beta actuator endpoint, which is the one confirmed to take raw payloads.
 */
import type { CallOptions, ThingsClient, ThingsResponse } from '../client';
import { ENDPOINTS } from '../endpoints';
import { buildDownlinkRecords, parseDeviceUrn, validateSenmlRecords } from '../senml';
import type { SenmlRecord } from '../types';
import {
  normalizeDevEUI,
  normalizeExternalReference,
  normalizePayloadHex,
  normalizePort,
  payloadSizeWarning,
} from '../validate';

export interface DownlinkInput {
  /** DevEUI (any case, separators allowed); not needed when `payload` is a SenML pack. */
  devEUI?: unknown;
  /** Hex string, Buffer, byte array, or (advanced) a SenML record array sent as given. */
  payload: unknown;
  /** LoRa FPort 1-223. */
  port: unknown;
  /** Your reference, echoed by KPN Things; optional. */
  externalReference?: unknown;
}

/** A validated downlink, ready to send. */
export interface Downlink {
  devEUI?: string;
  port: number;
  payloadHex?: string;
  externalReference?: string;
  records: SenmlRecord[];
  /** Non-fatal remarks, e.g. a payload too long for slow LoRa data rates. */
  warnings: string[];
}

/** True for a SenML pack (an array of objects), as opposed to a byte array. */
export function isSenmlPack(payload: unknown): payload is unknown[] {
  return (
    Array.isArray(payload) && payload.length > 0 && payload.every((r) => typeof r === 'object' && r !== null)
  );
}

/** Validates and normalises a downlink. Throws ValidationError naming the field; makes no request. */
export function prepareDownlink(input: DownlinkInput): Downlink {
  const port = normalizePort(input.port, 'port');
  const externalReference = normalizeExternalReference(input.externalReference, 'externalReference');
  if (isSenmlPack(input.payload)) {
    const records = validateSenmlRecords(input.payload, 'payload');
    const base = records.find((r) => r.bn)?.bn;
    const device = base ? parseDeviceUrn(base) : undefined;
    return {
      ...(device?.kind === 'DEVEUI' ? { devEUI: device.id } : {}),
      port,
      ...(externalReference ? { externalReference } : {}),
      records,
      warnings: [],
    };
  }
  const devEUI = normalizeDevEUI(input.devEUI, 'devEUI');
  const payloadHex = normalizePayloadHex(input.payload, 'payload');
  const warning = payloadSizeWarning(payloadHex, 'payload');
  return {
    devEUI,
    port,
    payloadHex,
    ...(externalReference ? { externalReference } : {}),
    records: buildDownlinkRecords(devEUI, payloadHex),
    warnings: warning ? [warning] : [],
  };
}

/** Sends a prepared downlink through POST /api/actuator/downlinks. */
export function sendDownlink(
  client: ThingsClient,
  downlink: Downlink,
  options: CallOptions = {},
): Promise<ThingsResponse<unknown>> {
  return client.call(ENDPOINTS.sendDownlinkBeta, {
    ...options,
    query: { port: downlink.port, externalReference: downlink.externalReference },
    body: downlink.records,
  });
}
