/**
 * The public contract of the KPN Things simulator (lib/simulator/). Tests, the demo and the
 * benchmark depend on this file only; the implementation may change behind it.
 */

export type TokenShape = 'snake' | 'camel';

/**
 * What the current API answers to a missing, unknown, expired or revoked token. The APIs page's
 * response table says 302 Found ("Your access token is incorrect or does not have access to KPN
 * Things"), and both APIs share one host, so 302 is the default. The Getting Started page lists
 * "401 Unauthorized: the request is missing a valid access token" among its common error codes;
 * 401 is offered so clients can be tested against that reading too. The beta API always answers 302.
 */
export type BadTokenStatus = 302 | 401;

/** GRIP's three documented error texts: wrong API key id/secret, key without the KPN Things service, wrong tenant. */
export type GripErrorKind = 'user' | 'service' | 'tenant';

/** Which identifier field current-API devices carry: 'id' (default), 'uuid' (the documented beta shape) or both. */
export type DeviceIdField = 'id' | 'uuid' | 'both';

export interface SimulatorCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  applicationId: string;
}

/**
 * A fault applies to requests whose route matches `route` (a route key such as
 * 'GET /devices', 'POST /token', 'POST /api/actuator/downlinks', 'GET /clients/{id}', or '*').
 * It affects the next `times` matching requests (default: all), each with probability `rate`
 * (default 1). Several effects may combine: latency is applied first.
 */
export interface Fault {
  route: string;
  times?: number;
  rate?: number;
  /** Delay before answering (or before resetting). */
  latencyMs?: number;
  /** Answer with this status and a problem+json body (e.g. 429, 500, 502, 503, 504). */
  status?: number;
  /** With status: the Retry-After header value to send (seconds as text, or an HTTP date). */
  retryAfter?: string;
  /** With status: answer with this body text and content type instead of problem+json. */
  body?: string;
  contentType?: string;
  /** Destroy the socket without answering (after reading the request, before acting on it). */
  reset?: boolean;
  /**
   * Act on the request as usual (e.g. queue the downlink), then destroy the socket instead of
   * answering: the client cannot tell whether the server acted. Recorded with the status it would
   * have answered.
   */
  resetAfterActing?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  malformedJson?: boolean;
}

export interface SimulatorOptions {
  /** Listen address; always loopback. Default 127.0.0.1. */
  host?: string;
  /** Ports for GRIP and the API; 0 (default) picks free ones. */
  gripPort?: number;
  apiPort?: number;
  /** Credentials the simulator accepts; defaults are fixed demo values. */
  credentials?: Partial<SimulatorCredentials>;
  /** Token response shape (default 'snake'); switchable later with setTokenShape(). */
  tokenShape?: TokenShape;
  /** Token lifetime in seconds (default 3600). Fractions allowed (e.g. 1.5). */
  tokenLifetimeSeconds?: number;
  /** Devices owned by the API key's own client (default 5). */
  deviceCount?: number;
  /** Customers the API key resells (default 3), each with `devicesPerCustomer` devices (default 2). */
  customerCount?: number;
  devicesPerCustomer?: number;
  /** Seed for the generated data (default 1): same seed, same data. */
  seed?: number;
  /** When true, GRIP answers the known "Feature service does not exist anymore." error. */
  keyWithoutThingsService?: boolean;
  /** Status for a bad token on the current API (default 302, see BadTokenStatus); the beta API always answers 302. */
  badTokenStatus?: BadTokenStatus;
  /**
   * Largest `limit` (current API) and `pageSize` (beta API) accepted; larger ones get a 400 problem.
   * Default: none (KPN documents no maximum; any positive integer is served).
   */
  maxLimit?: number;
  /** HTTP status of each of GRIP's documented error texts (defaults: user 401, service 403, tenant 400). */
  gripErrorStatus?: Partial<Record<GripErrorKind, number>>;
  /** When true, GRIP answers 200 with a JSON body that holds no token (clients must report it clearly). */
  gripAnswersWithoutToken?: boolean;
  /** Identifier field of current-API devices (default 'id'). */
  deviceIdField?: DeviceIdField;
}

/** What the simulator records of every request it receives (secrets redacted). */
export interface RecordedRequest {
  /** 'grip' or 'api'. */
  server: 'grip' | 'api';
  method: string;
  /** Route key the request matched, e.g. 'GET /devices' ('' when none matched). */
  route: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case header names; authorization values and secrets replaced by '[redacted]'. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when it is not JSON; client_secret redacted. */
  body: unknown;
  /** Status the simulator answered (0 when it reset the connection). */
  status: number;
  at: number;
}

export interface Simulator extends SimulatorPush {
  /** GRIP base URL, e.g. http://127.0.0.1:40001 (token URL: `${gripUrl}/v2/${tenantId}/oidc/idp/c1/token`). */
  gripUrl: string;
  /** API base URL, e.g. http://127.0.0.1:40002 (current API at /devices, beta at /api/...). */
  apiUrl: string;
  credentials: SimulatorCredentials;
  /** The API key's own client id, and the customers it resells. */
  ownClientId: string;
  customers: { id: string; name: string }[];
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Number of token requests GRIP answered with a token. */
  readonly tokensIssued: number;
  /** Requests recorded for a route key (e.g. 'POST /token'). */
  requestsFor(route: string): RecordedRequest[];
  /** Forget recorded requests (not tokens or data). */
  clearRequests(): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  setTokenShape(shape: TokenShape): void;
  setTokenLifetime(seconds: number): void;
  /** Invalidate every token issued so far: their next use gets the bad-token status (default 302). */
  revokeTokens(): void;
  /** The current API's answer to a bad token: 302 (default, as the APIs page says) or 401. */
  setBadTokenStatus(status: BadTokenStatus): void;
  /** The largest `limit` / `pageSize` accepted; undefined: no maximum (the default). */
  setMaxLimit(max: number | undefined): void;
  /** The HTTP status GRIP uses for one of its documented error texts. */
  setGripErrorStatus(kind: GripErrorKind, status: number): void;
  /** When true, GRIP answers 200 without a token. */
  setGripAnswersWithoutToken(on: boolean): void;
  setDeviceIdField(field: DeviceIdField): void;
  /** Project ids of the API key's own client (GET /projects/{id}). */
  projectIds(): string[];
  /** A LoRa DevEUI of one of the seeded devices (16 upper-case hex digits). */
  devEUIs(): string[];
  close(): Promise<void>;
}

/** The packs the simulator pushes to destinations (see lib/simulator/push-packs.ts). */
export type PushKind = 'raw' | 'extended' | 'location' | 'measurements';
/** 'forged': a token made with another secret; 'tampered': one body byte changed after signing. */
export type PushTamper = 'none' | 'forged' | 'tampered';

/** An HTTPS destination, as registered in the KPN Things portal (loopback URLs only here). */
export interface DestinationOptions {
  url: string;
  /** The shared secret the token is made with. */
  secret: string;
  /** Push on a timer: '5s', '500ms', '2m' or ms. Default: only on demand. */
  every?: string | number;
  /** Kinds pushed in turn (default all four). */
  kinds?: PushKind[];
  /** Delays before the 2nd and 3rd attempt, in ms (default [2000, 8000]). */
  retryDelaysMs?: number[];
  /** Per attempt (default 10 000 ms). */
  timeoutMs?: number;
  /** The `Things-Plug-UUID` sent (default: the destination id). */
  plugUUID?: string;
}

export interface DestinationInfo {
  id: string;
  url: string;
  plugUUID: string;
  everyMs?: number;
  kinds: PushKind[];
}

export interface PushOptions {
  /** Default: the destination's kinds in turn. */
  kind?: PushKind;
  tamper?: PushTamper;
  /** Default: the seeded devices in turn. */
  devEUI?: string;
  /** Push exactly this body text instead of a generated pack (e.g. a Destination Format's output). */
  body?: string;
}

/** One delivery attempt, as recorded. */
export interface PushAttempt {
  destinationId: string;
  /** The token sent (a content hash: the same for every attempt of one pack). */
  messageId: string;
  kind: PushKind;
  tamper: PushTamper;
  /** 1, 2 or 3. */
  attempt: number;
  /** The receiver's status; 0 when no answer came. */
  status: number;
  error?: string;
  at: number;
  durationMs: number;
}

export interface PushResult {
  messageId: string;
  kind: PushKind;
  tamper: PushTamper;
  /** The body text as sent. */
  body: string;
  delivered: boolean;
  attempts: PushAttempt[];
}

/** The push side of the simulator (also at `/_sim/destinations` on the API URL). */
export interface SimulatorPush {
  addDestination(options: DestinationOptions): DestinationInfo;
  destinations(): DestinationInfo[];
  removeDestination(id: string): boolean;
  /** Pushes one pack now, with up to three attempts; resolves when delivered or given up. */
  pushUplink(destinationId: string, options?: PushOptions): Promise<PushResult>;
  /** Every attempt recorded (of one destination when given), oldest first. */
  pushAttempts(destinationId?: string): PushAttempt[];
}
