/**
 * kpn-things-uplink: its settings and credentials, once (see nodes/shared/schema.ts). The node serves
 * `url` on Node-RED's HTTP server (under httpNodeRoot) and verifies each KPN Things push over its raw
 * bytes (lib/uplink); the shared secret is a password credential, never a property.
 */
import { DEFAULT_BODY_LIMIT_BYTES } from '../../lib/uplink/raw-body';
import { ValidationError } from '../../lib/validate';
import { choice, defineSchema, setting, type SettingsOf } from '../shared/schema';

/** The path a new node serves (below httpNodeRoot). */
export const DEFAULT_UPLINK_PATH = '/kpn-things/uplink';
/** The body limit when none is set, in KiB. */
export const DEFAULT_MAX_BODY_KIB = DEFAULT_BODY_LIMIT_BYTES / 1024;
/** The header of the "X-API-key" auth method when none is set. */
export const DEFAULT_AUTH_HEADER = 'X-API-key';

/** A path of letters, digits and `-._~/` segments; no query, fragment, spaces or route patterns. */
const PATH = /^\/[A-Za-z0-9\-._~/]*$/;

/** Checks the served path; a missing leading '/' is added by the node, so it is allowed here. */
export function checkUplinkPath(text: string, field: string): void {
  const path = text.startsWith('/') ? text : `/${text}`;
  if (!PATH.test(path) || path.includes('//')) {
    throw new ValidationError({
      field,
      code: 'missing_setting',
      value: text,
      problem: 'is not a plain URL path',
      hint: `use letters, digits, "-", ".", "_" and "/" only, e.g. ${DEFAULT_UPLINK_PATH}.`,
    });
  }
}

/** Normalises the served path: a leading '/', no trailing '/' (express matches both). */
export function uplinkPath(text: string): string {
  const trimmed = text.trim();
  const path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function checkMaxBody(text: string, field: string): void {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100 * 1024) {
    throw new ValidationError({
      field,
      code: 'invalid_limit',
      value: text,
      problem: 'is not a whole number of KiB from 1 to 102400',
      hint: `set "Max body" to e.g. ${DEFAULT_MAX_BODY_KIB} (KPN's SenML packs are a few hundred bytes).`,
    });
  }
}

function checkHeaderName(text: string, field: string): void {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(text)) {
    throw new ValidationError({
      field,
      code: 'missing_setting',
      value: text,
      problem: 'is not an HTTP header name',
      hint: `use the header name set in the KPN Things portal, e.g. ${DEFAULT_AUTH_HEADER}.`,
    });
  }
}

/** A context store name as Node-RED's settings name them (letters, digits, '_' and '-'). */
function checkStoreName(text: string, field: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new ValidationError({
      field,
      code: 'missing_setting',
      value: text,
      problem: 'is not a context store name',
      hint: 'give the name of a store in contextStorage of settings.js (e.g. redis), or leave it empty for memory.',
    });
  }
}

export const uplinkSchema = defineSchema({
  type: 'kpn-things-uplink',
  version: 1,
  properties: {
    name: setting('', { since: 1 }),
    url: setting(DEFAULT_UPLINK_PATH, {
      since: 1,
      required: true,
      check: checkUplinkPath,
      message: { default: 'kpn-things-uplink.errors.url' },
    }),
    /** Also answer GET (a destination configured with GET); POST always. */
    allowGet: setting(false, { since: 1 }),
    /** The body limit in KiB (413 above it). */
    maxBody: setting(DEFAULT_MAX_BODY_KIB, {
      since: 1,
      required: true,
      check: checkMaxBody,
      message: { default: 'kpn-things-uplink.errors.maxBody' },
    }),
    /** 'senml': JSON expected (415/400 otherwise); 'any': any body (a Destination Format script) passes. */
    body: choice(['senml', 'any'] as const, { since: 1 }),
    /** One message per pack, or one per device of a multi-device pack. */
    split: choice(['pack', 'device'] as const, { since: 1 }),
    /** A retry (same token): drop it (answer 200, emit nothing) or mark it msg.duplicate = true. */
    duplicates: choice(['drop', 'mark'] as const, { since: 1 }),
    /** Where recent message ids live: '' = in-process memory; else a Node-RED context store name. */
    recentIdsStore: setting('', {
      since: 1,
      check: checkStoreName,
      message: { default: 'kpn-things-uplink.errors.recentIdsStore' },
    }),
    /** When set, Things-Plug-UUID must equal it (403 otherwise). */
    plugUUID: setting('', { since: 1 }),
    /** The destination's own auth method (credentials authUser / authSecret). */
    auth: choice(['none', 'basic', 'bearer', 'header'] as const, { since: 1 }),
    authHeader: setting(DEFAULT_AUTH_HEADER, {
      since: 1,
      applies: (settings) => settings.auth === 'header',
      check: checkHeaderName,
      message: { default: 'kpn-things-uplink.errors.authHeader' },
    }),
  },
  credentials: {
    sharedSecret: { type: 'password' },
    previousSecret: { type: 'password' },
    authUser: { type: 'text' },
    authSecret: { type: 'password' },
  },
});

export type UplinkSettings = SettingsOf<typeof uplinkSchema.properties>;

export interface UplinkCredentials {
  sharedSecret?: string;
  previousSecret?: string;
  authUser?: string;
  authSecret?: string;
}
