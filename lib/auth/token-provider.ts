/**
 * The GRIP access token of one API key: fetched on first use, shared by every caller, renewed in
 * the background ahead of expiry, dropped when the API rejects it. Memory only.
 *
 * - Single-flight: any number of concurrent callers cause exactly one token request.
 * - Expiry is measured from just before the token request was sent.
 * - Renewal margin: the configured margin (default 5 min), at least 10 % of the lifetime; a margin longer
 *   than half the lifetime (a short-lived token) becomes 10 % of it: one token request per lifetime.
 * - invalidate(token) drops only that token: another caller may already hold a fresh one.
 * - GRIP's refusals (wrong key, wrong tenant, missing service: recognised by their text whatever the
 *   status) become a GripAuthError with a hint code, remembered for a short cool-down so a burst of
 *   messages does not hammer GRIP. Outages (network, 429, 5xx) are retried by the caller's policy
 *   through the one retry executor, within the caller's deadline and abort signal.
 * - The 429 pause of the credential lives here, so every client of this API key honours it.
 * The secret and the token live in private fields: never in errors, logs, inspect() or JSON.
 */
import {
  GripAuthError,
  PROBLEM_TYPES,
  ThingsAbortError,
  ThingsError,
  excerpt,
  gripHint,
  knownGripRefusal,
  redact,
} from '../errors';
import { MEDIA_TYPES } from '../endpoints';
import type { HttpResponse } from '../http/transport';
import { parseRetryAfter, runWithRetry, type AttemptResult, type RetryPolicy } from '../retry';

export interface TokenProviderOptions {
  tokenUrl: string;
  applicationId: string;
  clientId: string;
  clientSecret: string;
  /** Renew this long before expiry (default 5 min; at least 10 % and at most 50 % of the lifetime). */
  renewMarginMs?: number;
  /** How long a GRIP refusal (4xx) is remembered before the next attempt (default 5 s). */
  failureCooldownMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Sends the token request for a client: its connection pool, its retry policy, its close signal. */
export interface TokenRequester {
  /** Posts `body` to GRIP; `signal` cancels it (the requester adds its own close signal). */
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal?: AbortSignal,
  ): Promise<HttpResponse>;
  /** The caller's retry policy: the token fetch retries (and gives up) by the same rules. */
  readonly policy: RetryPolicy;
}

interface CachedToken {
  value: string;
  expiresAt: number;
  renewAt: number;
}

const DEFAULT_LIFETIME_S = 3600;

export class TokenProvider {
  readonly tokenUrl: string;
  readonly clientId: string;
  /** Token requests sent to GRIP (successful or not). */
  fetches = 0;
  readonly #secret: string;
  readonly #applicationId: string;
  readonly #renewMarginMs: number;
  readonly #failureCooldownMs: number;
  readonly #now: () => number;
  #current: CachedToken | undefined;
  #inflight: Promise<CachedToken> | undefined;
  #failure: { error: ThingsError; until: number } | undefined;
  #pausedUntil = 0;

  constructor(options: TokenProviderOptions) {
    this.tokenUrl = options.tokenUrl;
    this.clientId = options.clientId;
    this.#secret = options.clientSecret;
    this.#applicationId = options.applicationId;
    this.#renewMarginMs = options.renewMarginMs ?? 5 * 60_000;
    this.#failureCooldownMs = options.failureCooldownMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /** True while a token is held that has not expired. */
  get hasValidToken(): boolean {
    return this.#current !== undefined && this.#now() < this.#current.expiresAt;
  }

  /**
   * A valid token. Waits for (or starts) the one shared token request when none is held;
   * starts a background renewal when the held one is inside the renewal margin.
   */
  async getToken(requester: TokenRequester, signal?: AbortSignal, closing?: AbortSignal): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const now = this.#now();
      const current = this.#current;
      if (current && now < current.renewAt) return current.value;
      if (current && now < current.expiresAt) {
        // Background renewal: no caller waits for it, so only the requester's close signal cancels it.
        if (!this.#inflight) this.#start(requester).catch(() => undefined);
        return current.value;
      }
      if (this.#failure && now < this.#failure.until) throw this.#failure.error;
      // The fetch this caller starts honours its signal and its retry deadline; a caller that joins a
      // fetch already in flight only stops waiting when its own signal aborts.
      const pending = this.#inflight ?? this.#start(requester, signal);
      try {
        return (await abortable(pending, signal, closing)).value;
      } catch (err) {
        // The shared request was cancelled because the client that sent it closed; our caller
        // did not ask to stop, so try once more through our own requester.
        if (err instanceof ThingsAbortError && !signal?.aborted && !closing?.aborted && attempt === 0)
          continue;
        throw err;
      }
    }
  }

  /** Holds every call of this credential for `ms` (after a 429: one pause for all its clients). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
  }

  /** How long calls of this credential must still wait (0: not paused). */
  pausedFor(): number {
    const wait = this.#pausedUntil - this.#now();
    return wait > 0 ? wait : 0;
  }

  /** Drops `token` if it is the one held (the API rejected it). A newer token is kept. */
  invalidate(token: string): void {
    if (this.#current?.value === token) this.#current = undefined;
  }

  toJSON(): Record<string, unknown> {
    return { tokenUrl: this.tokenUrl, clientId: this.clientId, hasValidToken: this.hasValidToken };
  }

  #start(requester: TokenRequester, signal?: AbortSignal): Promise<CachedToken> {
    const pending = this.#fetch(requester, signal).finally(() => {
      if (this.#inflight === pending) this.#inflight = undefined;
    });
    this.#inflight = pending;
    return pending;
  }

  async #fetch(requester: TokenRequester, signal: AbortSignal | undefined): Promise<CachedToken> {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      audience: this.#applicationId,
      client_id: this.clientId,
      client_secret: this.#secret,
    });
    const headers = { 'content-type': MEDIA_TYPES.jsonUtf8, accept: MEDIA_TYPES.json };
    const attempt = async (): Promise<AttemptResult<CachedToken>> => {
      const sentAt = this.#now();
      this.fetches++;
      let res: HttpResponse;
      try {
        res = await requester.post(this.tokenUrl, headers, body, signal);
      } catch (err) {
        const error = err instanceof ThingsError ? err : new ThingsAbortError();
        return { ok: false, error, retry: error.kind === 'network' || error.kind === 'timeout' };
      }
      return this.#classify(res, sentAt);
    };
    try {
      const { value } = await runWithRetry(attempt, {
        policy: requester.policy,
        signals: [signal],
        now: this.#now,
      });
      this.#current = value;
      this.#failure = undefined;
      return value;
    } catch (err) {
      if (err instanceof GripAuthError && (isDocumentedRefusal(err) || isClientError(err.status))) {
        this.#failure = { error: err, until: this.#now() + this.#failureCooldownMs };
      }
      throw err;
    }
  }

  /** A GRIP answer: a token, one of GRIP's documented refusals (whatever the status), or a retryable outage. */
  #classify(res: HttpResponse, sentAt: number): AttemptResult<CachedToken> {
    const known = knownGripRefusal(res.text);
    if (known) return { ok: false, error: this.#refusal(res), retry: false };
    if (res.status >= 200 && res.status < 300) {
      const token = this.#parse(res.text, sentAt);
      if (token) return { ok: true, value: token };
      return { ok: false, error: this.#refusal(res, 'GRIP token response unreadable'), retry: false };
    }
    const transient = res.status === 429 || res.status >= 500;
    return {
      ok: false,
      error: this.#refusal(res),
      retry: transient,
      retryAfterMs: transient ? parseRetryAfter(res.headers['retry-after']) : undefined,
    };
  }

  #parse(text: string, sentAt: number): CachedToken | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const value = record.access_token ?? record.accessToken;
    if (typeof value !== 'string' || value === '') return undefined;
    const rawLifetime = Number(record.expires_in ?? record.expiresIn);
    const lifetimeMs =
      (Number.isFinite(rawLifetime) && rawLifetime > 0 ? rawLifetime : DEFAULT_LIFETIME_S) * 1000;
    // A margin that does not fit in half the lifetime (a short-lived token) becomes 10 % of it, so
    // renewal stays one token request per lifetime instead of one per half lifetime.
    const margin =
      this.#renewMarginMs <= lifetimeMs * 0.5
        ? Math.max(this.#renewMarginMs, lifetimeMs * 0.1)
        : lifetimeMs * 0.1;
    return { value, expiresAt: sentAt + lifetimeMs, renewAt: sentAt + lifetimeMs - margin };
  }

  /** GRIP's refusal as an error: its own words (secret scrubbed) as the detail, the fix as a hint code. */
  #refusal(res: HttpResponse, title = 'GRIP token request failed'): GripAuthError {
    const said = excerpt(redact(res.text, [this.#secret]), 200);
    return new GripAuthError(
      {
        type: PROBLEM_TYPES.grip,
        title,
        status: res.status,
        detail: said || `GRIP answered ${res.status} without a token.`,
      },
      gripHint(res.text, res.status),
    );
  }
}

function isDocumentedRefusal(err: GripAuthError): boolean {
  return (
    err.hint === 'grip.credentials-wrong' ||
    err.hint === 'grip.service-missing' ||
    err.hint === 'grip.tenant-wrong'
  );
}

function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

/** Awaits `promise` unless a signal aborts first (the promise itself goes on for other callers). */
function abortable<T>(promise: Promise<T>, ...signals: (AbortSignal | undefined)[]): Promise<T> {
  const listening = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (listening.length === 0) return promise;
  if (listening.some((signal) => signal.aborted)) return Promise.reject(new ThingsAbortError());
  return new Promise<T>((resolve, reject) => {
    const detach = (): void => {
      for (const signal of listening) signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      detach();
      reject(new ThingsAbortError());
    };
    for (const signal of listening) signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        detach();
        resolve(value);
      },
      (err: unknown) => {
        detach();
        reject(err);
      },
    );
  });
}
