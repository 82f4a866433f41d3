/**
 * The public contract of the KPN Things simulator (lib/simulator/). Tests, the demo and the
 * benchmark depend on this file only; the implementation may change behind it.
 */

export type TokenShape = 'snake' | 'camel';

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

export interface Simulator {
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
  /** Invalidate every token issued so far: their next use gets 401 (beta API: 302). */
  revokeTokens(): void;
  /** A LoRa DevEUI of one of the seeded devices (16 upper-case hex digits). */
  devEUIs(): string[];
  close(): Promise<void>;
}
