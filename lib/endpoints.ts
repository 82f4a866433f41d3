/**
 * Every fact about the KPN Things wire in one place: base URLs, paths, media types, header names.
 * Where the contract (shared/kpn-things-api.md) says "unconfirmed", the choice is made here only,
 * so matching the real platform is a one-line change.
 */

export const DEFAULT_API_URL = 'https://api.kpnthings.com';
export const DEFAULT_GRIP_URL = 'https://auth.grip-on-it.com';
/** Documented GRIP token path; `{tenantId}` is substituted. A whole token URL may be configured instead. */
export const DEFAULT_TOKEN_PATH = '/v2/{tenantId}/oidc/idp/c1/token';
/** The KPN Things application id (the OAuth audience). Not a valid UUID: never validate it as one. */
export const DEFAULT_APPLICATION_ID = '4dc82561-f65f-523g-dek9-6c79ec314f02';

export const MEDIA_TYPES = {
  json: 'application/json',
  jsonUtf8: 'application/json; charset=utf-8',
  problem: 'application/problem+json',
  /** A body of unknown media type. */
  octetStream: 'application/octet-stream',
  /** What current-API calls accept: their answers, and their RFC 7807 errors (never refused with 406). */
  jsonOrProblem: 'application/json, application/problem+json',
  betaDevice: 'application/vnd.kpnthings.device.v1.response+json',
  betaActuator: 'application/vnd.kpnthings.actuator.v1.response+json',
} as const;

export const HEADERS = {
  /** Reseller context on the current API: `client:uuid:{customerId}`. */
  securityContext: 'KPN-Things-Security-Context',
  /** Deprecated reseller context (after a context switch). */
  legacyClientId: 'x-client-id',
  /** Uplinks (HTTPS destination): lowercase hex sha256(raw body + shared secret). */
  messageToken: 'Things-Message-Token',
  /** Uplinks: the id of the destination that pushes. */
  plugUUID: 'Things-Plug-UUID',
  /** Uplinks: the default header of the destination's "X-API-key" auth method. */
  apiKey: 'X-API-key',
} as const;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface Endpoint {
  method: HttpMethod;
  /** Path template below the API base URL; `{name}` placeholders are URL-encoded on expansion. */
  path: string;
  accept: string;
  /** Content-Type sent even without a body, where the documentation asks for it. */
  contentType?: string;
  /** Which API: both report a bad token (or one without KPN Things access) with a 3xx; the current one also with 401. */
  api: 'current' | 'beta';
}

export const ENDPOINTS = {
  listDevices: { method: 'GET', path: '/devices', accept: MEDIA_TYPES.jsonOrProblem, api: 'current' },
  getDevice: {
    method: 'GET',
    path: '/devices/{deviceId}',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  // The device picker's DevEUI lookup: a guess (neither this call nor its fields are documented).
  listNetworkAdapters: {
    method: 'GET',
    path: '/devices/{deviceId}/network-adapters',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  putDevice: {
    method: 'PUT',
    path: '/devices/{deviceId}',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  deleteDevice: {
    method: 'DELETE',
    path: '/devices/{deviceId}',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listDeviceGroupsOfDevice: {
    method: 'GET',
    path: '/devices/{deviceId}/device-groups',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listDeviceGroups: {
    method: 'GET',
    path: '/device-groups',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listProjects: { method: 'GET', path: '/projects', accept: MEDIA_TYPES.jsonOrProblem, api: 'current' },
  getProject: {
    method: 'GET',
    path: '/projects/{projectId}',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listLoraBindings: {
    method: 'GET',
    path: '/lora/bindings',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listHttpBindings: {
    method: 'GET',
    path: '/http/bindings',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listMqttBindings: {
    method: 'GET',
    path: '/mqtt/bindings',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listDownlinks: { method: 'GET', path: '/downlinks', accept: MEDIA_TYPES.jsonOrProblem, api: 'current' },
  // Customers: path not found in any public spec; KPN Things calls customers "clients".
  listCustomers: { method: 'GET', path: '/clients', accept: MEDIA_TYPES.jsonOrProblem, api: 'current' },
  getCustomer: {
    method: 'GET',
    path: '/clients/{customerId}',
    accept: MEDIA_TYPES.jsonOrProblem,
    api: 'current',
  },
  listDevicesBeta: { method: 'GET', path: '/api/devices', accept: MEDIA_TYPES.betaDevice, api: 'beta' },
  sendDownlinkBeta: {
    method: 'POST',
    path: '/api/actuator/downlinks',
    accept: MEDIA_TYPES.betaActuator,
    api: 'beta',
  },
  contextSwitch: {
    method: 'GET',
    path: '/api/v1/lifecycle/clients/{customerId}/context-switch',
    accept: MEDIA_TYPES.json,
    contentType: MEDIA_TYPES.json,
    api: 'beta',
  },
} as const satisfies Record<string, Endpoint>;

/** Substitutes `{name}` placeholders, URL-encoding each value. Throws on a missing parameter. */
export function expandPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(value);
  });
}

/** The GRIP token URL: a configured template (absolute, or a path below gripUrl) with `{tenantId}` filled in. */
export function tokenUrl(gripUrl: string, tenantId: string, template: string = DEFAULT_TOKEN_PATH): string {
  const filled = template.replace(/\{tenantId\}/g, encodeURIComponent(tenantId));
  if (/^https?:\/\//i.test(filled)) return filled;
  return joinUrl(gripUrl, filled);
}

/** Joins a base URL (which may carry a path) and a path, with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

export function securityContextValue(customerId: string): string {
  return `client:uuid:${customerId}`;
}
