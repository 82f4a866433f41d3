/**
 * The framework-free KPN Things client: everything a flow (or any Node.js program) needs.
 * The public surface, listed name by name: anything not here is internal to lib/.
 */
export { ThingsClient } from './client';
export type {
  ThingsClientOptions,
  CallOptions,
  RequestSpec,
  ThingsResponse,
  QueryParams,
  QueryValue,
  ClientStats,
} from './client';
export { TokenRegistry } from './auth/token-registry';
export type { ProviderLease } from './auth/token-registry';
export { TokenProvider } from './auth/token-provider';
export type { TokenProviderOptions, TokenRequester } from './auth/token-provider';
export {
  PROBLEM_TYPES,
  ThingsError,
  ThingsApiError,
  GripAuthError,
  ThingsNetworkError,
  ThingsTimeoutError,
  ThingsAbortError,
  ValidationError,
  problemDetails,
  problemFromResponse,
  statusHint,
  gripHint,
  knownGripRefusal,
  redact,
} from './errors';
export type {
  ThingsErrorKind,
  HintCode,
  HintParams,
  ThingsProblem,
  ValidationErrorCode,
  ValidationErrorDetails,
} from './errors';
export {
  DEFAULT_API_URL,
  DEFAULT_GRIP_URL,
  DEFAULT_TOKEN_PATH,
  DEFAULT_APPLICATION_ID,
  MEDIA_TYPES,
  HEADERS,
  ENDPOINTS,
  expandPath,
  tokenUrl,
} from './endpoints';
export type { Endpoint, HttpMethod } from './endpoints';
export { cursorPages, numberedPages, firstPage, items, collect } from './pagination';
export type { Page, Fetched, Collected } from './pagination';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, runWithRetry } from './retry';
export type { RetryPolicy, AttemptResult, RetryRun, Retried } from './retry';
export {
  optional,
  preview,
  normalizeDevEUI,
  normalizePayloadHex,
  payloadSizeWarning,
  normalizePort,
  normalizeLimit,
  normalizeUuid,
  normalizeIsoDateTime,
  normalizeExternalReference,
  checkSharedSecret,
  PAYLOAD_LIMITS,
  SHARED_SECRET_SPECIALS,
} from './validate';
export type { SharedSecretCheck } from './validate';
export {
  deviceUrn,
  buildDownlinkRecords,
  validateSenmlRecords,
  resolveSenml,
  parseDeviceUrn,
  toUplinkObject,
} from './senml';
export type {
  DeviceKind,
  SenmlValue,
  ResolvedRecord,
  UplinkObject,
  SenmlPackRecord,
  SenmlValidationOptions,
} from './senml';
export {
  computeThingsMessageToken,
  verifyThingsMessageToken,
  matchThingsMessageToken,
} from './uplink-signature';
export {
  createUplinkReceiver,
  MESSAGE_TOKEN_HEADER,
  PLUG_UUID_HEADER,
  DEFAULT_API_KEY_HEADER,
  toUplinkMessages,
  interpretJson,
  parseDeviceName,
  senmlTime,
  readRawBody,
  readRawBodyThen,
  DEFAULT_BODY_LIMIT_BYTES,
  MemoryRecentIds,
  StoreRecentIds,
  DEFAULT_RECENT_IDS,
  DEFAULT_RECENT_IDS_TTL_MS,
} from './uplink';
export type {
  UplinkReceiverOptions,
  UplinkReceiver,
  UplinkReceiverStats,
  UplinkRejection,
  RejectionCode,
  DestinationAuth,
  UplinkMessage,
  UplinkDevice,
  UplinkTime,
  UplinkLora,
  UplinkLocation,
  UplinkKind,
  BodyInterpretation,
  ToMessagesOptions,
  RawBodyResult,
  RecentIds,
  MemoryRecentIdsOptions,
  AsyncKeyValueStore,
  StoreRecentIdsOptions,
} from './uplink';
export {
  devicePages,
  betaDevicePages,
  betaQueryFrom,
  getDevice,
  networkAdapterPages,
  deviceIdOf,
  lookupDevEUI,
  DEVICE_QUERY_FIELDS,
  BETA_DEVICE_QUERY_FIELDS,
} from './resources/devices';
export type { DeviceQuery, BetaDeviceQuery, PageOptions, DevEUILookup } from './resources/devices';
export { getCustomer, customerPages, CUSTOMER_QUERY_FIELDS } from './resources/customers';
export type { CustomerQuery } from './resources/customers';
export { prepareDownlink, sendDownlink, isSenmlPack } from './resources/downlinks';
export type { DownlinkInput, Downlink } from './resources/downlinks';
export { listQueryParams, COMMON_LIST_FIELDS } from './resources/list-query';
export type { FieldKind, CommonListQuery } from './resources/list-query';
export { queryValue, openQueryParams } from './resources/query-values';
export { downlinkListQuery, downlinkPages, DOWNLINK_LIST_QUERY_FIELDS } from './resources/downlink-list';
export type { DownlinkListQuery, ListedDownlink } from './resources/downlink-list';
export {
  REQUEST_METHODS,
  DEFAULT_ACCEPT,
  RAW_BODY_SUPPORTED,
  knownPaths,
  checkPathTemplate,
  mediaRange,
  mediaType,
  prepareRequest,
  wireSpec,
  runRequest,
} from './resources/request';
export type {
  RequestInput,
  PreparedRequest,
  WireRequestSpec,
  RequestSender,
  RunOptions,
  RequestOutcome,
  KnownPath,
} from './resources/request';
export type {
  SenmlRecord,
  ProblemDetails,
  CursorPage,
  BetaPage,
  Device,
  BetaDevice,
  NetworkAdapter,
  Customer,
} from './types';
