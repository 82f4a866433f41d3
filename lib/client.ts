/**
 * ThingsClient: authenticated requests to the KPN Things API over one undici dispatcher.
 * Adds the bearer token and the reseller context, retries by the rules in retry.ts, retries
 * once with a fresh token after a 401 (beta API: 302), pauses all calls of this credential after
 * a 429, and turns every failure into a ThingsError with RFC 7807 problem details.
 */
import { setMaxListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import { acquireTokenProvider, type ProviderLease } from './auth/token-registry';
import type { TokenRequester } from './auth/token-provider';
import {
  DEFAULT_API_URL,
  DEFAULT_APPLICATION_ID,
  DEFAULT_GRIP_URL,
  DEFAULT_TOKEN_PATH,
  ENDPOINTS,
  HEADERS,
  MEDIA_TYPES,
  expandPath,
  joinUrl,
  securityContextValue,
  tokenUrl,
  type Endpoint,
  type HttpMethod,
} from './endpoints';
import { PROBLEM_TYPES, ThingsAbortError, ThingsApiError, ThingsError, problemFromResponse } from './errors';
import { createDispatcher, type DispatcherOptions } from './http/dispatcher';
import { send, type HttpResponse } from './http/transport';
import { linkAbort } from './http/abort';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelay,
  shouldRetryNetworkError,
  shouldRetryStatus,
  sleep,
  type RetryPolicy,
} from './retry';
import { normalizeUuid } from './validate';

export interface ThingsClientOptions extends DispatcherOptions {
  /** GRIP tenant id. */
  tenantId: string;
  /** API key id and secret. */
  clientId: string;
  clientSecret: string;
  /** API base URL (default https://api.kpnthings.com). */
  apiUrl?: string;
  /** GRIP base URL (default https://auth.grip-on-it.com). */
  gripUrl?: string;
  /** Token path below gripUrl, or a whole token URL; `{tenantId}` is filled in. */
  tokenPath?: string;
  /** OAuth audience (default the KPN Things application id). */
  applicationId?: string;
  /** Default reseller context: act for this customer (UUID) unless a call says otherwise. */
  customerId?: string;
  /** 'header' (default): KPN-Things-Security-Context; 'legacy': context switch + x-client-id. */
  contextMode?: 'header' | 'legacy';
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Largest response body accepted (default 32 MiB). */
  maxResponseBytes?: number;
  /** Token renewal margin (default 5 min). */
  renewMarginMs?: number;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Use this dispatcher instead of creating one (the client will not close it). */
  dispatcher?: Dispatcher;
}

export type QueryValue = string | number | boolean | Date | undefined | null | (string | number)[];
export type QueryParams = Record<string, QueryValue>;

export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Act for this customer (UUID); null: no context even if the client has a default. */
  customerId?: string | null;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
}

export interface RequestSpec extends CallOptions {
  method: HttpMethod;
  /** Path below the API base URL (ignored when `url` is given). */
  path?: string;
  /** An absolute URL from the API itself, e.g. a `next` link; rebased onto the API origin. */
  url?: string;
  query?: QueryParams;
  /** JSON-serialisable body. */
  body?: unknown;
  accept?: string;
  /** 'beta' endpoints signal a bad token with 302. */
  api?: 'current' | 'beta';
}

export interface ThingsResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /** Retries this call needed (including one after a token refresh). */
  retries: number;
  url: string;
}

export interface ClientStats {
  requests: number;
  retries: number;
  tokenFetches: number;
}

export class ThingsClient {
  readonly apiUrl: string;
  readonly gripUrl: string;
  readonly tenantId: string;
  readonly defaultCustomerId: string | undefined;
  readonly contextMode: 'header' | 'legacy';
  readonly timeoutMs: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #lease: ProviderLease;
  readonly #closing = new AbortController();
  readonly #retry: RetryPolicy;
  readonly #maxResponseBytes: number;
  readonly #userAgent: string;
  readonly #contextSwitches = new Map<string, Promise<void>>();
  #pausedUntil = 0;
  #requests = 0;
  #retries = 0;
  #closed = false;

  constructor(options: ThingsClientOptions) {
    for (const field of ['tenantId', 'clientId', 'clientSecret'] as const) {
      if (typeof options[field] !== 'string' || options[field].trim() === '') {
        throw new ThingsError('validation', {
          type: PROBLEM_TYPES.invalidInput,
          title: 'Invalid configuration',
          status: 0,
          detail: `${field} is missing: set it in the KPN Things config node (it may come from an environment variable, e.g. \${KPN_THINGS_CLIENT_SECRET}).`,
          field,
        });
      }
    }
    this.apiUrl = (options.apiUrl || DEFAULT_API_URL).replace(/\/+$/, '');
    this.gripUrl = (options.gripUrl || DEFAULT_GRIP_URL).replace(/\/+$/, '');
    this.tenantId = options.tenantId.trim();
    this.defaultCustomerId = options.customerId ? normalizeUuid(options.customerId, 'customerId') : undefined;
    this.contextMode = options.contextMode ?? 'header';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#userAgent = options.userAgent ?? 'node-red-kpn-things';
    // Every call in flight listens on the close signal (and detaches when done): no fixed bound applies.
    setMaxListeners(0, this.#closing.signal);
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createDispatcher(options);
    this.#lease = acquireTokenProvider({
      tokenUrl: tokenUrl(this.gripUrl, this.tenantId, options.tokenPath || DEFAULT_TOKEN_PATH),
      applicationId: options.applicationId || DEFAULT_APPLICATION_ID,
      clientId: options.clientId.trim(),
      clientSecret: options.clientSecret,
      renewMarginMs: options.renewMarginMs,
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): ClientStats {
    return { requests: this.#requests, retries: this.#retries, tokenFetches: this.#lease.provider.fetches };
  }

  /** Fetches a token now (e.g. to test a connection); resolves when one is held. */
  async authenticate(signal?: AbortSignal): Promise<void> {
    const call = linkAbort(signal, this.#closing.signal);
    try {
      await this.#lease.provider.getToken(this.#tokenRequester, call.signal);
    } finally {
      call.dispose();
    }
  }

  /** Calls a named endpoint of the endpoint table. */
  call<T = unknown>(
    endpoint: Endpoint,
    options: CallOptions & {
      params?: Record<string, string>;
      query?: QueryParams;
      body?: unknown;
      url?: string;
    } = {},
  ): Promise<ThingsResponse<T>> {
    return this.request<T>({
      ...options,
      method: endpoint.method,
      path: expandPath(endpoint.path, options.params),
      accept: endpoint.accept,
      api: endpoint.api,
    });
  }

  /** Any authenticated request to the API. */
  async request<T = unknown>(spec: RequestSpec): Promise<ThingsResponse<T>> {
    if (this.#closed)
      throw new ThingsAbortError('The KPN Things client is closed (node redeployed or stopped).');
    const customerId =
      spec.customerId === null
        ? undefined
        : spec.customerId
          ? normalizeUuid(spec.customerId, 'customerId')
          : this.defaultCustomerId;
    const url = this.#url(spec);
    const call = linkAbort(spec.signal, this.#closing.signal);
    try {
      return await this.#send<T>(spec, url, customerId, call.signal);
    } finally {
      call.dispose();
    }
  }

  async #send<T>(
    spec: RequestSpec,
    url: string,
    customerId: string | undefined,
    signal: AbortSignal,
  ): Promise<ThingsResponse<T>> {
    const method = spec.method;
    const headers: Record<string, string> = {
      accept: spec.accept ?? MEDIA_TYPES.json,
      'user-agent': this.#userAgent,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = MEDIA_TYPES.json;
    }
    if (customerId) {
      if (this.contextMode === 'legacy') {
        await this.#switchContext(customerId, signal);
        headers[HEADERS.legacyClientId] = customerId;
      } else {
        headers[HEADERS.securityContext] = securityContextValue(customerId);
      }
    }
    const started = Date.now();
    const provider = this.#lease.provider;
    let retries = 0;
    let refreshedToken = false;
    for (;;) {
      await this.#waitWhilePaused(signal);
      const token = await provider.getToken(this.#tokenRequester, signal);
      this.#requests++;
      let res: HttpResponse;
      try {
        res = await send(this.#dispatcher, {
          url,
          method,
          headers: { ...headers, authorization: `Bearer ${token}` },
          body,
          signal,
          timeoutMs: spec.timeoutMs ?? this.timeoutMs,
          maxResponseBytes: this.#maxResponseBytes,
        });
      } catch (err) {
        const error = err instanceof ThingsError ? err : new ThingsAbortError();
        const delay =
          error.kind === 'network' && shouldRetryNetworkError(method, error.code)
            ? retryDelay(retries + 1, this.#retry, undefined, Date.now() - started)
            : undefined;
        if (delay === undefined) throw withRetries(error, retries);
        retries = this.#countRetry(retries);
        await sleep(delay, signal).catch(() => {
          throw withRetries(new ThingsAbortError(), retries);
        });
        continue;
      }
      const authRejected = res.status === 401 || (spec.api === 'beta' && res.status === 302);
      if (authRejected) {
        provider.invalidate(token);
        if (!refreshedToken) {
          refreshedToken = true;
          retries = this.#countRetry(retries);
          continue;
        }
        throw withRetries(new ThingsApiError(this.#authProblem(res, url)), retries);
      }
      if (res.status >= 200 && res.status < 300) {
        return { status: res.status, headers: res.headers, body: parseBody<T>(res, url), retries, url };
      }
      if (shouldRetryStatus(method, res.status)) {
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        const delay = retryDelay(retries + 1, this.#retry, retryAfter, Date.now() - started);
        if (delay !== undefined) {
          if (res.status === 429) this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
          retries = this.#countRetry(retries);
          await sleep(delay, signal).catch(() => {
            throw withRetries(new ThingsAbortError(), retries);
          });
          continue;
        }
      }
      throw withRetries(
        new ThingsApiError(problemFromResponse(res.status, res.text, instanceOf(url))),
        retries,
      );
    }
  }

  /** Aborts every call in flight, and closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new ThingsAbortError());
    this.#lease.release();
    if (this.#ownsDispatcher) await this.#dispatcher.destroy().catch(() => undefined);
  }

  readonly #tokenRequester: TokenRequester = (url, headers, body) =>
    send(this.#dispatcher, {
      url,
      method: 'POST',
      headers: { ...headers, 'user-agent': this.#userAgent },
      body,
      signal: this.#closing.signal,
      timeoutMs: this.timeoutMs,
      maxResponseBytes: 64 * 1024,
    });

  #countRetry(retries: number): number {
    this.#retries++;
    return retries + 1;
  }

  async #waitWhilePaused(signal: AbortSignal): Promise<void> {
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) await sleep(wait, signal).catch(() => Promise.reject(new ThingsAbortError()));
  }

  /** The URL of a request: a path below the API base, or an API link rebased onto the API origin. */
  #url(spec: RequestSpec): string {
    let url: URL;
    if (spec.url) {
      const link = new URL(spec.url, this.apiUrl);
      const api = new URL(this.apiUrl);
      // The token is sent to the configured API origin only, whatever host a link names.
      url = new URL(link.pathname + link.search, api.origin);
    } else {
      url = new URL(joinUrl(this.apiUrl, spec.path ?? '/'));
    }
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined || value === null || value === '') continue;
      url.searchParams.delete(name);
      const values = Array.isArray(value) ? value : [value];
      for (const item of values)
        url.searchParams.append(name, item instanceof Date ? item.toISOString() : String(item));
    }
    return url.toString();
  }

  #authProblem(res: HttpResponse, url: string) {
    if (res.status === 302) {
      return {
        type: PROBLEM_TYPES.http,
        title: 'Unauthorized',
        status: 401,
        detail:
          'The beta API redirected to a login page (302): the token is invalid or the API key has no KPN Things access.',
        instance: instanceOf(url),
      };
    }
    return problemFromResponse(res.status, res.text, instanceOf(url));
  }

  #switchContext(customerId: string, signal: AbortSignal): Promise<void> {
    let pending = this.#contextSwitches.get(customerId);
    if (!pending) {
      pending = this.call(ENDPOINTS.contextSwitch, { params: { customerId }, customerId: null }).then(
        () => undefined,
      );
      pending.catch(() => this.#contextSwitches.delete(customerId));
      this.#contextSwitches.set(customerId, pending);
    }
    return signal.aborted ? Promise.reject(new ThingsAbortError()) : pending;
  }
}

function withRetries<E extends ThingsError>(error: E, retries: number): E {
  error.retries = retries;
  return error;
}

function instanceOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

function parseBody<T>(res: HttpResponse, url: string): T {
  if (res.text === '') return undefined as T;
  const type = res.headers['content-type'] ?? '';
  const looksJson = /json/i.test(type) || /^\s*[[{]/.test(res.text);
  if (!looksJson) return res.text as T;
  try {
    return JSON.parse(res.text) as T;
  } catch (err) {
    throw new ThingsError(
      'malformed-response',
      {
        type: PROBLEM_TYPES.malformedResponse,
        title: 'Malformed response',
        status: res.status,
        detail: `The API answered ${res.status} with a body that is not valid JSON.`,
        instance: instanceOf(url),
      },
      { cause: err },
    );
  }
}
