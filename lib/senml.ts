/**
 * SenML (RFC 8428) helpers for KPN Things: device URNs, the raw LoRa downlink record, strict
 * validation of incoming packs, record resolution and a friendly uplink object.
 */
import type { SenmlRecord } from './types';
import { ValidationError } from './validate';

/**
 * A record as it may arrive in an uplink pack: RFC 8428's base value `bv` and base sum `bs` too
 * (KPN Things may put base fields in any record). Downlinks never send them.
 */
export interface SenmlPackRecord extends SenmlRecord {
  bv?: number;
  bs?: number;
}

/** Options of {@link validateSenmlRecords}. */
export interface SenmlValidationOptions {
  /** Accept and keep `bv` and `bs` (uplinks; resolved by {@link resolveSenml}). Default false: refused. */
  baseValues?: boolean;
}

/** The device identity kinds KPN Things puts in a SenML base name. */
export type DeviceKind = 'DEVEUI' | 'IMEI' | 'DVNUUID';

/** A SenML value: number (`v`), string (`vs`), boolean (`vb`) or base64 data (`vd`). */
export type SenmlValue = number | string | boolean;

/** A record after RFC 8428 resolution: base fields applied, one absolute name. */
export interface ResolvedRecord {
  /** `bn + n`. */
  name: string;
  /** `bt + t` in seconds; absent when neither is given. Values below 2^28 are relative to "now" per RFC 8428. */
  time?: number;
  /** `u`, or else the base unit `bu`. */
  unit?: string;
  /** The value of whichever of `v`, `vs`, `vb`, `vd` is present. */
  value?: SenmlValue;
  /** Which field the value came from (`vd` values are base64 text). */
  valueField?: 'v' | 'vs' | 'vb' | 'vd';
  /** `s`, the sum. */
  sum?: number;
}

/** The friendly uplink object made by {@link toUplinkObject}. */
export interface UplinkObject {
  /** The device of the first record whose name is a `urn:dev:{DEVEUI|IMEI|DVNUUID}:{id}:` URN. */
  device?: { kind: DeviceKind; id: string };
  /** The time (seconds since the epoch) of the first record that has one. */
  time?: number;
  /**
   * Each measurement by name, without the device URN prefix, e.g. `{ payload: '0102ab', port: 1 }`.
   * Names of other devices keep their full name. When a name occurs more than once, the first value wins
   * (all of them remain in `records`).
   */
  values: Record<string, SenmlValue>;
  /** All resolved records. */
  records: ResolvedRecord[];
}

/** `urn:dev:{kind}:{id}:`, the SenML base name KPN Things uses for a device. */
export function deviceUrn(kind: DeviceKind, id: string): string {
  return `urn:dev:${kind}:${id}:`;
}

/** The SenML body of a raw LoRa downlink. Inputs must already be normalised (see lib/validate). */
export function buildDownlinkRecords(devEUI: string, payloadHex: string): SenmlRecord[] {
  return [{ bn: deviceUrn('DEVEUI', devEUI), n: 'payloadHex', vs: payloadHex }];
}

type FieldType = 'string' | 'number' | 'boolean';

/** The fields of {@link SenmlRecord} and their JSON types. */
const FIELD_TYPES: Record<keyof SenmlRecord, FieldType> = {
  bn: 'string',
  bt: 'number',
  bu: 'string',
  n: 'string',
  u: 'string',
  v: 'number',
  vs: 'string',
  vb: 'boolean',
  vd: 'string',
  s: 'number',
  t: 'number',
};
/** RFC 8428 fields that are checked but not kept. */
const IGNORED_FIELD_TYPES: Record<string, FieldType> = { bver: 'number', ut: 'number' };
/** Base value and base sum: kept only with `baseValues` (refused for downlinks, which never need them). */
const BASE_VALUE_FIELDS = new Set(['bv', 'bs']);
const VALUE_FIELDS = ['v', 'vs', 'vb', 'vd'] as const;

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isKnownField(key: string): key is keyof SenmlRecord {
  return hasOwn(FIELD_TYPES, key);
}

function senmlError(field: string, value: unknown, problem: string, hint: string): never {
  throw new ValidationError({ field, code: 'invalid_senml', value, problem, hint });
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Strictly validates a SenML pack: a non-empty array of objects whose known fields have the right
 * JSON types (numbers finite), with at most one of `v`/`vs`/`vb`/`vd` per record, where every record
 * resolves to a non-empty name. Unknown fields are ignored (RFC 8428), except must-understand ones
 * (ending in `_`) and `bv`/`bs`, which are refused. Returns fresh records holding the known fields only.
 * Errors name the record index and field, e.g. `records[2].v`.
 */
export function validateSenmlRecords(
  value: unknown,
  field = 'records',
  options: SenmlValidationOptions = {},
): SenmlPackRecord[] {
  if (!Array.isArray(value)) {
    senmlError(field, value, `is ${describe(value)}`, 'a SenML pack is a JSON array of record objects.');
  }
  if (value.length === 0) {
    senmlError(field, value, 'is an empty array', 'a SenML pack needs at least one record.');
  }
  const out: SenmlPackRecord[] = [];
  let baseName = '';
  value.forEach((item: unknown, index) => {
    const at = (): string => `${field}[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      senmlError(
        at(),
        item,
        `is ${describe(item)}`,
        'every SenML record is a JSON object such as {"n":"port","v":1}.',
      );
    }
    const record: SenmlPackRecord = {};
    const fields = item as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const fieldValue = fields[key];
      if (isKnownField(key) || hasOwn(IGNORED_FIELD_TYPES, key)) {
        const expected = isKnownField(key) ? FIELD_TYPES[key] : IGNORED_FIELD_TYPES[key];
        if (typeof fieldValue !== expected) {
          senmlError(
            `${at()}.${key}`,
            fieldValue,
            `is ${describe(fieldValue)}`,
            `the SenML field "${key}" must be a ${expected}.`,
          );
        }
        if (expected === 'number' && !Number.isFinite(fieldValue)) {
          senmlError(
            `${at()}.${key}`,
            fieldValue,
            'is not a finite number',
            `the SenML field "${key}" must be finite.`,
          );
        }
        if (isKnownField(key)) (record as Record<string, unknown>)[key] = fieldValue;
      } else if (BASE_VALUE_FIELDS.has(key) && options.baseValues === true) {
        if (typeof fieldValue !== 'number' || !Number.isFinite(fieldValue)) {
          senmlError(
            `${at()}.${key}`,
            fieldValue,
            `is ${typeof fieldValue === 'number' ? 'not a finite number' : describe(fieldValue)}`,
            `the SenML field "${key}" must be a finite number.`,
          );
        }
        (record as Record<string, unknown>)[key] = fieldValue;
      } else if (BASE_VALUE_FIELDS.has(key)) {
        senmlError(
          `${at()}.${key}`,
          fieldValue,
          'is not supported',
          'send records without base value or base sum (apply them to "v" and "s" before sending).',
        );
      } else if (key.endsWith('_')) {
        senmlError(
          `${at()}.${key}`,
          fieldValue,
          'is a must-understand SenML extension that is not supported',
          'remove fields ending in "_" from the record.',
        );
      }
    }
    const valueCount =
      (record.v !== undefined ? 1 : 0) +
      (record.vs !== undefined ? 1 : 0) +
      (record.vb !== undefined ? 1 : 0) +
      (record.vd !== undefined ? 1 : 0);
    if (valueCount > 1) {
      const present = VALUE_FIELDS.filter((k) => record[k] !== undefined);
      senmlError(
        `${at()}.${present[1]}`,
        fields[present[1]],
        `conflicts with "${present[0]}"`,
        'a SenML record carries at most one of "v", "vs", "vb" and "vd".',
      );
    }
    if (record.bn !== undefined) baseName = record.bn;
    if (baseName === '' && (record.n ?? '') === '') {
      senmlError(
        `${at()}.n`,
        record.n,
        record.n === undefined
          ? 'is missing and no base name "bn" applies'
          : 'is empty and no base name "bn" applies',
        'every SenML record needs a name: give "n", or "bn" in this or an earlier record.',
      );
    }
    out.push(record);
  });
  return out;
}

/**
 * Resolves SenML records per RFC 8428: base fields (in any record, not only the first) carry forward
 * to later records until redefined; name = bn + n, time = bt + t (seconds), unit = u ?? bu,
 * value = bv + v (numbers only), sum = bs + s.
 */
export function resolveSenml(records: SenmlPackRecord[]): ResolvedRecord[] {
  let bn = '';
  let bt: number | undefined;
  let bu: string | undefined;
  let bv: number | undefined;
  let bs: number | undefined;
  return records.map((record) => {
    if (record.bn !== undefined) bn = record.bn;
    if (record.bt !== undefined) bt = record.bt;
    if (record.bu !== undefined) bu = record.bu;
    if (record.bv !== undefined) bv = record.bv;
    if (record.bs !== undefined) bs = record.bs;
    const resolved: ResolvedRecord = { name: bn + (record.n ?? '') };
    if (bt !== undefined || record.t !== undefined) resolved.time = (bt ?? 0) + (record.t ?? 0);
    const unit = record.u ?? bu;
    if (unit !== undefined) resolved.unit = unit;
    for (const key of VALUE_FIELDS) {
      const v = record[key];
      if (v !== undefined) {
        resolved.value = key === 'v' && bv !== undefined ? (v as number) + bv : v;
        resolved.valueField = key;
        break;
      }
    }
    if (record.s !== undefined || bs !== undefined) resolved.sum = (bs ?? 0) + (record.s ?? 0);
    return resolved;
  });
}

const DEVICE_URN = /^urn:dev:(DEVEUI|IMEI|DVNUUID):([^:]+):/i;

/** Splits `urn:dev:{kind}:{id}:` off a resolved name. */
export function parseDeviceUrn(name: string): { kind: DeviceKind; id: string; rest: string } | undefined {
  const m = DEVICE_URN.exec(name);
  if (!m) return undefined;
  return { kind: m[1].toUpperCase() as DeviceKind, id: m[2], rest: name.slice(m[0].length) };
}

/**
 * Turns (validated) uplink records into a friendly object: the device parsed from the base name,
 * the first record's time and each measurement by short name, e.g.
 * `{ device: { kind: 'DEVEUI', id: '0123456789ABCDEF' }, time: 1700000000, values: { payload: '0102ab', port: 1 } }`.
 */
export function toUplinkObject(records: SenmlRecord[]): UplinkObject {
  const resolved = resolveSenml(records);
  let device: UplinkObject['device'];
  let prefix: string | undefined;
  for (const r of resolved) {
    const parsed = parseDeviceUrn(r.name);
    if (parsed) {
      device = { kind: parsed.kind, id: parsed.id };
      prefix = r.name.slice(0, r.name.length - parsed.rest.length);
      break;
    }
  }
  const values: Record<string, SenmlValue> = {};
  for (const r of resolved) {
    if (r.value === undefined) continue;
    const key = prefix !== undefined && r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.name;
    if (key === '' || hasOwn(values, key)) continue;
    // defineProperty: a record named "__proto__" must become data, never the object's prototype.
    Object.defineProperty(values, key, {
      value: r.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const time = resolved.find((r) => r.time !== undefined)?.time;
  return {
    ...(device ? { device } : {}),
    ...(time !== undefined ? { time } : {}),
    values,
    records: resolved,
  };
}
