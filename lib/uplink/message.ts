/**
 * Turns a verified KPN Things uplink body into the message a flow receives: SenML resolved per
 * RFC 8428 and mapped to `payload`, `device`, `time`, `kind`, `lora` and `location`; any other
 * body (a Destination Format script's JSON, text or bytes) passed through as `payload`.
 */
import type { SenmlPackRecord, ResolvedRecord, SenmlValue } from '../senml';
import { resolveSenml, validateSenmlRecords } from '../senml';

/** `urn:dev:{type}:{id}:` of the records, e.g. `{ urn: 'urn:dev:DEVEUI:0059AC0000000001:', type: 'DEVEUI', id: '0059AC0000000001' }`. */
export interface UplinkDevice {
  urn: string;
  /** Upper case: 'DEVEUI', 'IMEI', 'DVNUUID', or another RFC 9039 type such as 'MAC'. */
  type: string;
  id: string;
}

/** A point in time, both ways. */
export interface UplinkTime {
  /** ISO 8601, UTC, e.g. '2025-12-27T13:00:20.000Z'. */
  iso: string;
  /** Milliseconds since the epoch. */
  ms: number;
}

/** Network metadata of the "Raw LoRa payload Extended" decoder (Actility names mapped). */
export interface UplinkLora {
  fCnt?: number;
  fCntDn?: number;
  rssi?: number;
  snr?: number;
  esp?: number;
  gatewayCount?: number;
  sf?: number;
  subBand?: string | number;
  channel?: string | number;
  adr?: boolean;
  port?: number;
}

/** A geolocation pack's fields (locOrigin "KPNLORA" for LoRa network geolocation). */
export interface UplinkLocation {
  latitude?: number;
  longitude?: number;
  /** Metres. */
  radius?: number;
  origin?: string;
  method?: string;
  accuracy?: number;
  precision?: number;
  time?: UplinkTime;
}

export type UplinkKind = 'uplink' | 'location' | 'other';

/** The message handed to a flow (the node adds nothing secret; `_msgid` is the runtime's). */
export interface UplinkMessage {
  /** Measurements by short name, `{ temperature: 21.5, battery: 87 }`; raw LoRa: `{ payload: '1b0c', port: 3 }`. Other bodies: as received. */
  payload: unknown;
  /** The records as received (SenML bodies only). */
  senml?: unknown[];
  device?: UplinkDevice;
  /** The time of the first record that has one (`bt + t`), with `origin` from a `timeOrigin` record. */
  time?: UplinkTime & { origin?: string };
  kind: UplinkKind;
  lora?: UplinkLora;
  location?: UplinkLocation;
  /** The message token, lower case: a content hash, so a retry has the same id. */
  messageId: string;
  /** The `Things-Plug-UUID` header (the destination's id), when sent. */
  plugUUID?: string;
  /** Set in 'mark' mode when the id was seen recently (a retry). */
  duplicate?: boolean;
}

/** How a body is understood. */
export type BodyInterpretation =
  { senml: true; records: SenmlPackRecord[]; raw: unknown[] } | { senml: false; payload: unknown };

/** Actility-style names of the Extended decoder → msg.lora fields. */
const LORA_FIELDS = new Map<string, keyof UplinkLora>(
  Object.entries({
    FCntUp: 'fCnt',
    FCntDn: 'fCntDn',
    LrrRSSI: 'rssi',
    LrrSNR: 'snr',
    LrrESP: 'esp',
    DevLrrCnt: 'gatewayCount',
    SpFact: 'sf',
    SubBand: 'subBand',
    Channel: 'channel',
    ADRbit: 'adr',
  } satisfies Record<string, keyof UplinkLora>) as [string, keyof UplinkLora][],
);
const LOCATION_FIELDS = new Map<string, keyof UplinkLocation>(
  Object.entries({
    latitude: 'latitude',
    longitude: 'longitude',
    radius: 'radius',
    locOrigin: 'origin',
    locMethod: 'method',
    locAccuracy: 'accuracy',
    locPrecision: 'precision',
    locTime: 'time',
  } satisfies Record<string, keyof UplinkLocation>) as [string, keyof UplinkLocation][],
);
const TIME_ORIGIN = 'timeOrigin';
/** RFC 8428: times below 2^28 s are relative to now. */
const RELATIVE_TIME_LIMIT = 2 ** 28;

const DEVICE_URN = /^urn:dev:([a-z0-9]+):([^:]+):/i;

/** Splits `urn:dev:{type}:{id}:` off a resolved name (any RFC 9039 type, upper-cased). */
export function parseDeviceName(name: string): { device: UplinkDevice; rest: string } | undefined {
  const m = DEVICE_URN.exec(name);
  if (!m) return undefined;
  return { device: { urn: m[0], type: m[1].toUpperCase(), id: m[2] }, rest: name.slice(m[0].length) };
}

/**
 * A parsed JSON body is SenML when it validates as a pack (array of records, base values allowed);
 * anything else is passed through unchanged.
 */
export function interpretJson(value: unknown): BodyInterpretation {
  if (!Array.isArray(value) || value.length === 0) return { senml: false, payload: value };
  try {
    return { senml: true, records: validateSenmlRecords(value, 'body', { baseValues: true }), raw: value };
  } catch {
    return { senml: false, payload: value };
  }
}

/** SenML seconds (absolute, or relative below 2^28 per RFC 8428) as a time; undefined when not finite. */
export function senmlTime(seconds: number, now: number = Date.now()): UplinkTime | undefined {
  const ms = seconds < RELATIVE_TIME_LIMIT ? now + seconds * 1000 : seconds * 1000;
  return timeFromMs(Math.round(ms));
}

function timeFromMs(ms: number): UplinkTime | undefined {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return { iso: new Date(ms).toISOString(), ms };
}

/** locTime: seconds now, a millisecond string in older packs. */
function locationTime(value: SenmlValue): UplinkTime | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return undefined;
  return n > 1e11 ? timeFromMs(Math.round(n)) : timeFromMs(Math.round(n * 1000));
}

function setData(target: Record<string, unknown>, key: string, value: unknown): void {
  // A record named "__proto__" must become data, never the object's prototype.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** A resolved record with the device its name starts with, and its name without that device URN. */
interface Entry {
  record: ResolvedRecord;
  device?: UplinkDevice;
  /** The name after the device URN (the full name when there is no device). */
  short: string;
}

interface Group {
  device?: UplinkDevice;
  entries: Entry[];
  raw: unknown[];
}

/**
 * Finds each record's device. Fast path: KPN's base name is exactly the device URN, so the short
 * name is `n` and the base name is parsed once per change; otherwise the resolved name is parsed.
 */
function annotate(records: SenmlPackRecord[], resolved: ResolvedRecord[]): Entry[] {
  const out: Entry[] = [];
  let bn = '';
  let bnDevice: UplinkDevice | undefined;
  let bnIsUrn = false;
  for (let i = 0; i < resolved.length; i++) {
    const record = resolved[i];
    const source = records[i];
    if (source.bn !== undefined && source.bn !== bn) {
      bn = source.bn;
      const parsed = parseDeviceName(bn);
      bnDevice = parsed?.device;
      bnIsUrn = parsed !== undefined && parsed.rest === '';
    }
    if (bnIsUrn) {
      out.push({ record, device: bnDevice, short: source.n ?? '' });
    } else {
      const parsed = parseDeviceName(record.name);
      out.push(
        parsed ? { record, device: parsed.device, short: parsed.rest } : { record, short: record.name },
      );
    }
  }
  return out;
}

/** Groups entries by device (entries of no device form one group), keeping their order. */
function groupByDevice(entries: Entry[], raw: unknown[]): Group[] {
  const groups: Group[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const urn = entry.device?.urn;
    let group = groups.find((g) => g.device?.urn === urn);
    if (!group) {
      group = { ...(entry.device ? { device: entry.device } : {}), entries: [], raw: [] };
      groups.push(group);
    }
    group.entries.push(entry);
    group.raw.push(raw[i]);
  }
  return groups;
}

/** Builds one message from resolved records; `device` names the prefix stripped from measurement names. */
function buildMessage(
  entries: Entry[],
  raw: unknown[],
  device: UplinkDevice | undefined,
  base: { messageId: string; plugUUID?: string },
  now: number,
): UplinkMessage {
  const payload: Record<string, unknown> = {};
  const lora: UplinkLora = {};
  const location: UplinkLocation = {};
  let loraSeen = false;
  let timeOrigin: string | undefined;
  let time: UplinkTime | undefined;
  let measurements = 0;
  let locationOnly = true;
  for (const entry of entries) {
    const r = entry.record;
    if (time === undefined && r.time !== undefined) time = senmlTime(r.time, now);
    if (r.value === undefined) continue;
    // Measurements of other devices (in a multi-device pack) keep their full name.
    const short = entry.device?.urn === device?.urn ? entry.short : r.name;
    if (short === '') continue;
    const loraField = LORA_FIELDS.get(short);
    if (loraField !== undefined) {
      loraSeen = true;
      if (lora[loraField] === undefined) setLora(lora, loraField, r.value);
      continue;
    }
    if (short === TIME_ORIGIN) {
      if (typeof r.value === 'string') timeOrigin ??= r.value;
      continue;
    }
    if (hasOwn(payload, short)) continue;
    setData(payload, short, r.value);
    measurements++;
    const locField = LOCATION_FIELDS.get(short);
    if (locField === undefined) locationOnly = false;
    else if (locField === 'time') {
      const t = locationTime(r.value);
      if (t) location.time = t;
    } else if (locField === 'origin' || locField === 'method') {
      if (typeof r.value === 'string') location[locField] = r.value;
    } else if (typeof r.value === 'number') location[locField] = r.value;
  }
  if (loraSeen && typeof payload.port === 'number') lora.port = payload.port;
  const hasLocation = location.latitude !== undefined && location.longitude !== undefined;
  const kind: UplinkKind =
    hasLocation && locationOnly ? 'location' : measurements > 0 || loraSeen ? 'uplink' : 'other';
  const message: UplinkMessage = { payload, senml: raw, kind, messageId: base.messageId };
  if (device) message.device = { ...device };
  if (time) message.time = timeOrigin !== undefined ? { ...time, origin: timeOrigin } : time;
  if (loraSeen) message.lora = lora;
  if (hasLocation || location.origin !== undefined) message.location = location;
  if (base.plugUUID !== undefined) message.plugUUID = base.plugUUID;
  return message;
}

function setLora(lora: UplinkLora, field: keyof UplinkLora, value: SenmlValue): void {
  if (field === 'adr') {
    lora.adr = value === true || value === 1 || value === '1' || value === 'true';
  } else if (field === 'subBand' || field === 'channel') {
    if (typeof value === 'string' || typeof value === 'number') lora[field] = value;
  } else if (typeof value === 'number') {
    lora[field] = value;
  } else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    lora[field] = Number(value);
  }
}

export interface ToMessagesOptions {
  /** 'pack' (default): one message per pack; 'device': one per device of a multi-device pack. */
  split?: 'pack' | 'device';
  messageId: string;
  plugUUID?: string;
  /** Clock for relative SenML times, for tests. */
  now?: number;
}

/**
 * The messages of one verified body. SenML: resolved and mapped (one per pack, or one per device).
 * Anything else: one message with the body as `payload`, `kind` 'other' and no `senml`.
 */
export function toUplinkMessages(body: BodyInterpretation, options: ToMessagesOptions): UplinkMessage[] {
  const base = {
    messageId: options.messageId,
    ...(options.plugUUID !== undefined ? { plugUUID: options.plugUUID } : {}),
  };
  if (!body.senml) return [{ payload: body.payload, kind: 'other', ...base }];
  const now = options.now ?? Date.now();
  const entries = annotate(body.records, resolveSenml(body.records));
  if (options.split === 'device') {
    const groups = groupByDevice(entries, body.raw);
    if (groups.length > 1) return groups.map((g) => buildMessage(g.entries, g.raw, g.device, base, now));
  }
  const first = entries.find((e) => e.device !== undefined)?.device;
  return [buildMessage(entries, body.raw, first, base, now)];
}
