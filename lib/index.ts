/** The framework-free KPN Things client: everything a flow (or any Node.js program) needs. */
export { ThingsClient } from './client';
export type {
  ThingsClientOptions,
  CallOptions,
  RequestSpec,
  ThingsResponse,
  QueryParams,
  ClientStats,
} from './client';
export * from './errors';
export * from './endpoints';
export * from './pagination';
export * from './validate';
export * from './senml';
export * from './uplink-signature';
export * from './uplink';
export * from './resources/devices';
export * from './resources/customers';
export * from './resources/downlinks';
export { listQueryParams } from './resources/list-query';
export { TokenProvider } from './auth/token-provider';
export { acquireTokenProvider } from './auth/token-registry';
export { parseRetryAfter, DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export type * from './types';
