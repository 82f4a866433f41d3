/**
 * ThingsClient: authenticated requests to the KPN Things API over one undici dispatcher.
 * Every request is one pipeline: prepare (URL, headers, body, reseller context) → attempt (wait out
 * the credential's 429 pause, token, one exchange) → classify (done, retry, give up) → decide (the one
 * retry executor of retry.ts). A 401 or any 3xx (both APIs: the token is bad or lacks KPN Things
 * access) drops that token and retries once with a fresh one. Every failure is a ThingsError with
 * RFC 7807 problem details and a hint code.
 */
import { setMaxListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import { TokenRegistry, type ProviderLease } from './auth/token-registry';
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
import {
  PROBLEM_TYPES,
  ThingsAbortError,
  ThingsApiError,
  ThingsError,
  ValidationError,
  problemFromResponse,
} from './errors';
import { createDispatcher, type DispatcherOptions } from './http/dispatcher';
import { send, type HttpResponse } from './http/transport';
import { linkAbort } from './http/abort';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  runWithRetry,
  shouldRetryNetworkError,
  shouldRetryStatus,
  sleep,
  type AttemptResult,
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
  /**
   * The token registry to share tokens through: clients given the same registry and credential hold
   * one token (and one 429 pause). Default: a registry of this client's own.
   */
  tokens?: TokenRegistry;
  /** Clock of the token cache (tests); default Date.now. Used when this credential's provider is created. */
  clock?: () => number;
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
  /**
   * Content-Type of `rawBody`, or sent even without a body (the legacy context switch asks for it).
   * A JSON `body` is always sent as application/json.
   */
  contentType?: string;
  /** A body of any media type, sent as these bytes with `contentType` (instead of a JSON `body`). */
  rawBody?: string | Buffer;
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

/** What `prepare` makes of a request once; every attempt reuses it. */
interface PreparedRequest {
  method: HttpMethod;
  url: string;
  /** Sent as is; `authorization` is set per attempt. */
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  timeoutMs: number;
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
  readonly #tokenRequester: TokenRequester;
  /** Absolute URLs of the paths called so far (bounded). */
  readonly #pathUrls = new Map<string, string>();
  #requests = 0;
  #retries = 0;
  #closed = false;

  constructor(options: ThingsClientOptions) {
    for (const field of ['tenantId', 'clientId', 'clientSecret'] as const) {
      if (typeof options[field] !== 'string' || options[field].trim() === '') {
        throw new ValidationError({
          field,
          code: 'missing_setting',
          value: undefined,
          problem: 'is missing',
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
    // Every wait (token, pause, backoff) listens on the close signal and detaches when done.
    setMaxListeners(0, this.#closing.signal);
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createDispatcher(options);
    this.#lease = (options.tokens ?? new TokenRegistry()).acquire({
      tokenUrl: tokenUrl(this.gripUrl, this.tenantId, options.tokenPath || DEFAULT_TOKEN_PATH),
      applicationId: options.applicationId || DEFAULT_APPLICATION_ID,
      clientId: options.clientId.trim(),
      clientSecret: options.clientSecret,
      renewMarginMs: options.renewMarginMs,
      ...(options.clock ? { now: options.clock } : {}),
    });
    this.#tokenRequester = {
      policy: this.#retry,
      post: (url, headers, body, signal) => {
        const call = signal ? linkAbort(signal, this.#closing.signal) : undefined;
        return send(this.#dispatcher, {
          url,
          method: 'POST',
          headers: { ...headers, 'user-agent': this.#userAgent },
          body,
          signal: call ? call.signal : this.#closing.signal,
          timeoutMs: this.timeoutMs,
          maxResponseBytes: 64 * 1024,
        }).finally(() => call?.dispose());
      },
    };
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
      contentType: endpoint.contentType,
      api: endpoint.api,
    });
  }

  /** Any authenticated request to the API. */
  async request<T = unknown>(spec: RequestSpec): Promise<ThingsResponse<T>> {
    if (this.#closed) throw new ThingsAbortError('The KPN Things client is closed.');
    const customerId =
      spec.customerId === null
        ? undefined
        : spec.customerId
          ? normalizeUuid(spec.customerId, 'customerId')
          : this.defaultCustomerId;
    // One signal per call: the caller's, passed straight to undici when this client's own (destroyed)
    // pool ends the exchange on close; otherwise one controller that also follows the close signal.
    const call =
      spec.signal && !this.#ownsDispatcher ? linkAbort(spec.signal, this.#closing.signal) : undefined;
    const signal = call ? call.signal : (spec.signal ?? this.#closing.signal);
    try {
      if (customerId && this.contextMode === 'legacy') await this.#switchContext(customerId, signal);
      const prepared = this.#prepare(spec, customerId);
      let refreshed = false;
      const { value, retries } = await runWithRetry<ThingsResponse<T>>(
        async (retries) => {
          const outcome = await this.#attempt<T>(prepared, signal, retries, refreshed);
          if (!outcome.ok && outcome.immediate) refreshed = true;
          return outcome;
        },
        {
          policy: this.#retry,
          signals: [signal, this.#closing.signal],
          onRetry: (error, delayMs) => {
            this.#retries++;
            // A 429 pauses every call of this credential, in every client that shares its token.
            if (error.status === 429) this.#lease.provider.pauseFor(delayMs);
          },
        },
      );
      value.retries = retries;
      return value;
    } finally {
      call?.dispose();
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

  /** Prepare: everything about the request that does not change between attempts. */
  #prepare(spec: RequestSpec, customerId: string | undefined): PreparedRequest {
    const headers: Record<string, string> = {
      accept: spec.accept ?? MEDIA_TYPES.jsonOrProblem,
      'user-agent': this.#userAgent,
    };
    let body: string | Buffer | undefined;
    if (spec.rawBody !== undefined) {
      body = spec.rawBody;
      headers['content-type'] = spec.contentType ?? MEDIA_TYPES.octetStream;
    } else if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = MEDIA_TYPES.json;
    } else if (spec.contentType) {
      headers['content-type'] = spec.contentType;
    }
    if (customerId) {
      // Legacy mode: the context switch for this customer was made before (see request()).
      if (this.contextMode === 'legacy') headers[HEADERS.legacyClientId] = customerId;
      else headers[HEADERS.securityContext] = securityContextValue(customerId);
    }
    return {
      method: spec.method,
      url: this.#url(spec),
      headers,
      body,
      timeoutMs: spec.timeoutMs ?? this.timeoutMs,
    };
  }

  /** Attempt + classify: one exchange with the current token, and what its outcome means. */
  async #attempt<T>(
    req: PreparedRequest,
    signal: AbortSignal,
    retries: number,
    refreshed: boolean,
  ): Promise<AttemptResult<ThingsResponse<T>>> {
    const provider = this.#lease.provider;
    const paused = provider.pausedFor();
    if (paused > 0)
      await sleep(paused, signal, this.#closing.signal).catch(() => Promise.reject(this.#aborted()));
    const token = await provider.getToken(this.#tokenRequester, signal, this.#closing.signal);
    this.#requests++;
    req.headers.authorization = `Bearer ${token}`;
    let res: HttpResponse;
    try {
      res = await send(this.#dispatcher, {
        url: req.url,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        timeoutMs: req.timeoutMs,
        maxResponseBytes: this.#maxResponseBytes,
      });
    } catch (err) {
      if (this.#closed || signal.aborted) return { ok: false, error: this.#aborted(), retry: false };
      const error = err instanceof ThingsError ? err : new ThingsAbortError();
      const retry = error.kind === 'network' && shouldRetryNetworkError(req.method, error.code);
      return { ok: false, error, retry };
    }
    const status = res.status;
    if (status >= 200 && status < 300) {
      try {
        return {
          ok: true,
          value: { status, headers: res.headers, body: parseBody<T>(res, req.url), retries, url: req.url },
        };
      } catch (err) {
        return { ok: false, error: err as ThingsError, retry: false };
      }
    }
    if (status === 401 || (status >= 300 && status < 400)) {
      // The token is bad (or lacks KPN Things access): drop it, fetch a fresh one, try once more.
      provider.invalidate(token);
      return {
        ok: false,
        error: new ThingsApiError(authProblem(res, req.url)),
        retry: !refreshed,
        immediate: true,
      };
    }
    return {
      ok: false,
      error: new ThingsApiError(problemFromResponse(status, res.text, instanceOf(req.url))),
      retry: shouldRetryStatus(req.method, status),
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
    };
  }

  #aborted(): ThingsAbortError {
    return this.#closed
      ? new ThingsAbortError('The KPN Things client was closed (node redeployed or stopped).')
      : new ThingsAbortError();
  }

  /** The URL of a request: a path below the API base, or an API link rebased onto the API origin. */
  #url(spec: RequestSpec): string {
    // The common case, a path of the endpoint table without a query of its own: the base URL of the
    // path is parsed once, and the query appended as URLSearchParams would write it.
    if (!spec.url && spec.path !== undefined && !spec.path.includes('?') && !spec.path.includes('#')) {
      let base = this.#pathUrls.get(spec.path);
      if (base === undefined) {
        base = new URL(joinUrl(this.apiUrl, spec.path)).toString();
        if (this.#pathUrls.size >= 256) this.#pathUrls.clear();
        this.#pathUrls.set(spec.path, base);
      }
      return base + queryString(spec.query);
    }
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

/** Problem details of a rejected token: a 401 as the API said it, a 3xx as the 401 it means. */
function authProblem(res: HttpResponse, url: string) {
  if (res.status === 401) return problemFromResponse(401, res.text, instanceOf(url));
  return {
    type: PROBLEM_TYPES.http,
    title: 'Unauthorized',
    status: 401,
    detail: `The API answered ${res.status} (a redirect): the token is invalid or the API key has no KPN Things access.`,
    instance: instanceOf(url),
  };
}

/** Characters application/x-www-form-urlencoded leaves as they are (as URLSearchParams does). */
const FORM_SAFE = /^[A-Za-z0-9*\-._]*$/;

/** One query name or value exactly as URLSearchParams writes it (a plain one as it is). */
function formEncode(text: string): string {
  if (FORM_SAFE.test(text)) return text;
  return new URLSearchParams([['', text]]).toString().slice(1);
}

/** `?name=value&…` for the query parameters that have a value ('' when none). */
export function queryString(query: QueryParams | undefined): string {
  let out = '';
  if (!query) return out;
  for (const name in query) {
    const value = query[name];
    if (value === undefined || value === null || value === '') continue;
    const key = formEncode(name);
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      const text = item instanceof Date ? item.toISOString() : String(item);
      out += `${out === '' ? '?' : '&'}${key}=${formEncode(text)}`;
    }
  }
  return out;
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
      { cause: err, hint: 'response.malformed' },
    );
  }
}
