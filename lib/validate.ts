/**
 * Input validation and normalisation for everything the nodes send to KPN Things.
 *
 * Pure and framework-free: every `normalize*` function either returns the normalised value or throws a
 * {@link ValidationError} whose message names the field, the problem and the fix, so that a Node-RED user
 * sees what to change before any network call is made.
 */

import { ValidationError, preview, type ValidationErrorCode } from './errors';

export { ValidationError, preview };
export type { ValidationErrorCode, ValidationErrorDetails } from './errors';

/** The JavaScript type of a value, phrased for a message ("a number", "an array", "null"). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Date) return 'a Date';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** `"abc" is a number` / `is missing` style phrase for a wrongly typed value. */
function wrongType(value: unknown): string {
  if (value === undefined) return 'is missing';
  if (value === null) return 'is null';
  return `${preview(value)} is ${typeName(value)}`;
}

function fail(field: string, code: ValidationErrorCode, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, code, value, problem, fix });
}

/** Returns `undefined` for `undefined`, `null` and `''`, otherwise `fn(value)`. */
export function optional<T>(value: unknown, fn: (value: unknown) => T): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return fn(value);
}

// ---------------------------------------------------------------------------------------------------------
// DevEUI

const DEVEUI_HINT = 'a DevEUI has exactly 16 hex digits (e.g. 0123456789ABCDEF).';
const DEVEUI_URN = /^urn:dev:deveui:(.*?):?$/i;
const OTHER_URN = /^urn:dev:(imei|dvnuuid|[a-z]+):/i;

/**
 * Normalises a LoRaWAN DevEUI to 16 uppercase hex digits without separators.
 * Accepts lowercase, ':' / '-' / whitespace separators and a `urn:dev:DEVEUI:{devEUI}:` URN.
 */
export function normalizeDevEUI(value: unknown, field = 'devEUI'): string {
  if (typeof value !== 'string') {
    fail(field, 'invalid_deveui', value, wrongType(value), `give the DevEUI as a string; ${DEVEUI_HINT}`);
  }
  let text = value.trim();
  if (text === '') fail(field, 'invalid_deveui', value, 'is empty', DEVEUI_HINT);
  const urn = DEVEUI_URN.exec(text);
  if (urn) {
    text = urn[1];
  } else {
    const other = OTHER_URN.exec(text);
    if (other) {
      fail(
        field,
        'invalid_deveui',
        value,
        `${preview(value)} is a urn:dev:${other[1]} URN, not a DevEUI`,
        `give the DevEUI itself or urn:dev:DEVEUI:{DevEUI}:; ${DEVEUI_HINT}`,
      );
    }
  }
  const digits = text.replace(/[\s:-]/g, '');
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad) {
    fail(
      field,
      'invalid_deveui',
      value,
      `${preview(value)} contains ${JSON.stringify(bad[0])}, which is not a hex digit`,
      `use only 0-9 and A-F, optionally separated by ':' or '-'; ${DEVEUI_HINT}`,
    );
  }
  if (digits.length !== 16) {
    const what = digits.length === 1 ? '1 hex digit' : `${digits.length} hex digits`;
    fail(field, 'invalid_deveui', value, `${preview(value)} is ${what} long`, DEVEUI_HINT);
  }
  return digits.toUpperCase();
}

// ---------------------------------------------------------------------------------------------------------
// Payload

/** LoRaWAN application payload limits (bytes). */
export const PAYLOAD_LIMITS = {
  /** EU868 maximum at the slowest data rates (DR0-DR2, SF12-SF10). */
  slowestEU868: 51,
  /** EU868 maximum at the fastest data rates (DR4-DR7). */
  fastestEU868: 222,
  /** Absolute LoRaWAN maximum FRMPayload (250-byte MACPayload minus headers), any region. */
  absolute: 242,
} as const;

const PAYLOAD_HINT_FORMS = 'give hex text (e.g. "01AB"), a Buffer, a Uint8Array or an array of bytes 0-255';

function tooLarge(field: string, value: unknown, bytes: number): never {
  return fail(
    field,
    'payload_too_large',
    value,
    `is ${bytes} bytes long, more than the LoRaWAN maximum of ${PAYLOAD_LIMITS.absolute} bytes`,
    `shorten the payload; EU868 devices accept at most ${PAYLOAD_LIMITS.slowestEU868} bytes at the slowest ` +
      `data rates and ${PAYLOAD_LIMITS.fastestEU868} at the fastest.`,
  );
}

/**
 * Normalises a downlink payload to **uppercase** hex without separators (KPN's examples use both cases;
 * uppercase matches how KPN writes DevEUIs). Accepts hex text (optional `0x` prefix, whitespace or ':'
 * between digits), a Buffer, a Uint8Array, an ArrayBuffer or an array of integers 0-255.
 * Rejects empty payloads (a downlink needs at least one byte) and payloads above 242 bytes; use
 * {@link payloadSizeWarning} for the softer, data-rate-dependent limits.
 */
export function normalizePayloadHex(value: unknown, field = 'payload'): string {
  let hex: string;
  if (typeof value === 'string') {
    let text = value.trim();
    if (/^0x/i.test(text)) text = text.slice(2);
    const digits = text.replace(/[\s:]/g, '');
    const bad = /[^0-9a-f]/i.exec(digits);
    if (bad) {
      fail(
        field,
        'invalid_payload',
        value,
        `${preview(value)} contains ${JSON.stringify(bad[0])}, which is not a hex digit`,
        'write the payload as hex digits 0-9 and A-F, two per byte (e.g. "01AB"), optionally ' +
          "prefixed with 0x or separated by spaces or ':'.",
      );
    }
    if (digits.length % 2 !== 0) {
      fail(
        field,
        'invalid_payload',
        value,
        `${preview(value)} has an odd number of hex digits (${digits.length})`,
        'every byte is exactly two hex digits, so add the missing digit (e.g. "0A" instead of "A").',
      );
    }
    hex = digits.toUpperCase();
  } else if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
  } else if (Array.isArray(value)) {
    if (value.length > PAYLOAD_LIMITS.absolute) tooLarge(field, value, value.length);
    let out = '';
    for (let i = 0; i < value.length; i++) {
      const byte: unknown = value[i];
      if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) {
        fail(
          field,
          'invalid_payload',
          value,
          `byte ${i} is ${preview(byte)}, not an integer from 0 to 255`,
          `an array payload must hold byte values 0-255 only (e.g. [1, 171]); ${PAYLOAD_HINT_FORMS}.`,
        );
      }
      out += byte.toString(16).padStart(2, '0');
    }
    hex = out.toUpperCase();
  } else {
    const extra = typeof value === 'number' ? ' (a number is ambiguous: write 10 as "0A" or [10])' : '';
    fail(field, 'invalid_payload', value, wrongType(value), `${PAYLOAD_HINT_FORMS}${extra}.`);
  }
  if (hex.length === 0) {
    fail(
      field,
      'empty_payload',
      value,
      'is empty',
      'a downlink needs at least one byte of payload (e.g. "00").',
    );
  }
  if (hex.length / 2 > PAYLOAD_LIMITS.absolute) tooLarge(field, value, hex.length / 2);
  return hex;
}

/**
 * A warning text when a (normalised) hex payload may be too long to be delivered: more than 51 bytes
 * only fits at faster EU868 data rates, more than 222 bytes at none of them. Returns `undefined` when
 * the payload fits everywhere. Throws a ValidationError above 242 bytes, the LoRaWAN maximum.
 */
export function payloadSizeWarning(hex: string, field = 'payload'): string | undefined {
  const bytes = Math.ceil(hex.length / 2);
  if (bytes > PAYLOAD_LIMITS.absolute) tooLarge(field, hex, bytes);
  if (bytes > PAYLOAD_LIMITS.fastestEU868) {
    return (
      `${field} is ${bytes} bytes; EU868 LoRaWAN allows at most ${PAYLOAD_LIMITS.fastestEU868} bytes even at ` +
      `the fastest data rate, so this downlink is likely to be rejected or never delivered.`
    );
  }
  if (bytes > PAYLOAD_LIMITS.slowestEU868) {
    return (
      `${field} is ${bytes} bytes; EU868 LoRaWAN allows at most ${PAYLOAD_LIMITS.slowestEU868} bytes at the ` +
      `slowest data rates (SF12-SF10) and up to ${PAYLOAD_LIMITS.fastestEU868} at the fastest, so a device ` +
      `far from a gateway may never receive this downlink.`
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

/** Parses an integer given as a number or as a decimal string of digits; `undefined` if it is neither. */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?\d+$/.test(text)) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : undefined;
    }
  }
  return undefined;
}

const PORT_HINT =
  'use a LoRaWAN application FPort from 1 to 223 (0 carries MAC commands, 224 is the test port and ' +
  '225-255 are reserved).';

/** Normalises a LoRaWAN application FPort: an integer 1-223, given as a number or a numeric string. */
export function normalizePort(value: unknown, field = 'port'): number {
  const port = toInteger(value);
  if (port === undefined) {
    const problem =
      typeof value === 'number' || typeof value === 'string'
        ? `${preview(value)} is not an integer`
        : wrongType(value);
    fail(field, 'invalid_port', value, problem, PORT_HINT);
  }
  if (port < 1 || port > 223) {
    fail(field, 'invalid_port', value, `${port} is outside the application FPort range 1-223`, PORT_HINT);
  }
  return port;
}

/**
 * Normalises a page size / limit: a positive integer, given as a number or numeric string. The API
 * documents no maximum, so none is invented here (a server that refuses a size says so itself);
 * a caller with a real bound of its own may pass `max`.
 */
export function normalizeLimit(value: unknown, field = 'limit', max = Number.MAX_SAFE_INTEGER): number {
  const hint = 'use a whole number of at least 1.';
  const limit = toInteger(value);
  if (limit === undefined) {
    const problem =
      typeof value === 'number' || typeof value === 'string'
        ? `${preview(value)} is not an integer`
        : wrongType(value);
    fail(field, 'invalid_limit', value, problem, hint);
  }
  if (limit < 1) fail(field, 'invalid_limit', value, `${limit} is not a positive number`, hint);
  if (limit > max) fail(field, 'invalid_limit', value, `${limit} is more than the maximum of ${max}`, hint);
  return limit;
}

// ---------------------------------------------------------------------------------------------------------
// UUID

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_HINT = 'a UUID looks like 123e4567-e89b-12d3-a456-426614174000 (hex groups of 8-4-4-4-12 digits).';

/** Normalises a UUID (any version or variant) to lowercase canonical 8-4-4-4-12 form; trims whitespace. */
export function normalizeUuid(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    fail(field, 'invalid_uuid', value, wrongType(value), `give the UUID as a string; ${UUID_HINT}`);
  }
  const text = value.trim();
  if (text === '') fail(field, 'invalid_uuid', value, 'is empty', UUID_HINT);
  if (!UUID.test(text)) {
    const bad = /[^0-9a-f-]/i.exec(text);
    const problem = bad
      ? `${preview(value)} contains ${JSON.stringify(bad[0])}, which is not a hex digit`
      : `${preview(value)} is not in the 8-4-4-4-12 UUID format`;
    fail(field, 'invalid_uuid', value, problem, UUID_HINT);
  }
  return text.toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------
// Date-times

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const DATETIME_HINT =
  'use an ISO 8601 date-time with a timezone (e.g. 2024-01-31T12:00:00Z or 2024-01-31T13:00:00+01:00), ' +
  'a date (2024-01-31, meaning midnight UTC), a Date or epoch milliseconds.';
const MAX_EPOCH_MS = 8.64e15;

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseIsoString(text: string): number | string {
  const dateOnly = DATE_ONLY.exec(text);
  const m = dateOnly ?? DATE_TIME.exec(text);
  if (!m) return 'is not an ISO 8601 date-time';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `has month ${m[2]}, which does not exist`;
  if (day < 1 || day > daysInMonth(year, month)) return `has day ${m[3]}, which does not exist in that month`;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offsetMinutes = 0;
  if (!dateOnly) {
    hour = Number(m[4]);
    minute = Number(m[5]);
    second = m[6] === undefined ? 0 : Number(m[6]);
    millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
    if (hour > 23 || minute > 59 || second > 59) return 'has a time of day that does not exist';
    if (m[8] === undefined && m[9] === undefined) return 'has no timezone, so it is ambiguous';
    if (m[9] !== undefined) {
      const oh = Number(m[10]);
      const om = Number(m[11]);
      if (oh > 23 || om > 59) return 'has a timezone offset that does not exist';
      offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    }
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * Normalises a date-time to `Date.prototype.toISOString()` form (UTC, millisecond precision).
 * Accepts a Date, an ISO 8601 date-time string with `Z` or an offset, a date-only `YYYY-MM-DD` string
 * (midnight UTC) or epoch milliseconds (note: milliseconds, not seconds).
 */
export function normalizeIsoDateTime(value: unknown, field: string): string {
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
    if (Number.isNaN(ms)) fail(field, 'invalid_datetime', value, 'is an invalid Date', DATETIME_HINT);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      fail(field, 'invalid_datetime', value, `${value} is not a finite number`, DATETIME_HINT);
    ms = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') fail(field, 'invalid_datetime', value, 'is empty', DATETIME_HINT);
    const parsed = parseIsoString(text);
    if (typeof parsed === 'string')
      fail(field, 'invalid_datetime', value, `${preview(value)} ${parsed}`, DATETIME_HINT);
    ms = parsed;
  } else {
    fail(field, 'invalid_datetime', value, wrongType(value), DATETIME_HINT);
  }
  if (Math.abs(ms) > MAX_EPOCH_MS) {
    fail(field, 'invalid_datetime', value, `${preview(value)} is outside the range of dates`, DATETIME_HINT);
  }
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------------
// External reference

const EXTERNAL_REFERENCE_MAX = 255;

/**
 * Normalises the optional downlink `externalReference`: a printable string of at most 255 characters
 * (numbers are turned into text). `undefined`, `null` and empty / whitespace-only text give `undefined`.
 */
export function normalizeExternalReference(value: unknown, field = 'externalReference'): string | undefined {
  if (value === undefined || value === null) return undefined;
  const hint = `use printable text of at most ${EXTERNAL_REFERENCE_MAX} characters without control characters.`;
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else fail(field, 'invalid_external_reference', value, wrongType(value), hint);
  if (text === '') return undefined;
  const length = Array.from(text).length;
  if (length > EXTERNAL_REFERENCE_MAX) {
    fail(field, 'invalid_external_reference', value, `is ${length} characters long`, hint);
  }
  const bad = /[\p{Cc}\p{Cs}]/u.exec(text);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    const label = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    fail(
      field,
      'invalid_external_reference',
      value,
      `${preview(value)} contains the control character ${label}`,
      hint,
    );
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------
// Uplink shared secret

/** The special characters KPN Things requires one of in an HTTPS destination shared secret. */
export const SHARED_SECRET_SPECIALS = '#?!@$%^&(){}:.,/+*;';

export interface SharedSecretCheck {
  /** False when KPN Things will refuse the secret (errors is then non-empty). */
  ok: boolean;
  /** Advice that does not make the secret unusable. */
  warnings: string[];
  /** Why the secret is refused. */
  errors: string[];
}

/**
 * Checks an HTTPS destination shared secret against KPN's rules: at least 32 characters with an
 * uppercase letter, a lowercase letter, a digit and one of `#?!@$%^&(){}:.,/+*;`. Because an older
 * sentence of the same documentation says 30, a length of 30 or 31 is a warning, not a refusal.
 */
export function checkSharedSecret(secret: string): SharedSecretCheck {
  const warnings: string[] = [];
  const errors: string[] = [];
  if (typeof secret !== 'string' || secret.length === 0) {
    return {
      ok: false,
      warnings,
      errors: ['the shared secret is missing; KPN Things signs uplinks with it.'],
    };
  }
  const length = Array.from(secret).length;
  if (length < 30) {
    errors.push(`the shared secret is ${length} characters long; KPN Things requires at least 32.`);
  } else if (length < 32) {
    warnings.push(
      `the shared secret is ${length} characters long; KPN Things documents a minimum of 32 (older text says 30), ` +
        'so use at least 32.',
    );
  }
  if (!/[A-Z]/.test(secret)) errors.push('the shared secret has no uppercase letter (A-Z); add one.');
  if (!/[a-z]/.test(secret)) errors.push('the shared secret has no lowercase letter (a-z); add one.');
  if (!/[0-9]/.test(secret)) errors.push('the shared secret has no digit (0-9); add one.');
  const specials = new Set(SHARED_SECRET_SPECIALS);
  if (!Array.from(secret).some((c) => specials.has(c))) {
    errors.push(`the shared secret has no special character; add one of ${SHARED_SECRET_SPECIALS} .`);
  }
  const others = Array.from(secret).filter((c) => !/[A-Za-z0-9]/.test(c) && !specials.has(c));
  if (others.length > 0) {
    const shown = Array.from(new Set(others))
      .slice(0, 5)
      .map((c) => JSON.stringify(c))
      .join(' ');
    warnings.push(
      `the shared secret contains ${shown}, outside letters, digits and ${SHARED_SECRET_SPECIALS}; ` +
        'KPN Things may refuse it, so prefer those characters.',
    );
  }
  return { ok: errors.length === 0, warnings, errors };
}
