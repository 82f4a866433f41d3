/**
 * The GRIP access token of one API key: fetched on first use, shared by every caller, renewed in
 * the background ahead of expiry, dropped when the API rejects it. Memory only.
 *
 * - Single-flight: any number of concurrent callers cause exactly one token request.
 * - Expiry is measured from just before the token request was sent.
 * - Renewal margin: the configured margin (default 5 min), at least 10 % of the lifetime, at most half of it.
 * - invalidate(token) drops only that token: another caller may already hold a fresh one.
 * - GRIP's refusals (wrong key, wrong tenant, missing service) become a GripAuthError with a hint,
 *   remembered for a short cool-down so a burst of messages does not hammer GRIP.
 * The secret and the token live in private fields: never in errors, logs, inspect() or JSON.
 */
import {
  GripAuthError,
  PROBLEM_TYPES,
  ThingsAbortError,
  ThingsError,
  excerpt,
  gripHint,
  redact,
} from '../errors';
import { MEDIA_TYPES } from '../endpoints';
import type { HttpResponse } from '../http/transport';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, sleep } from '../retry';

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

/** Posts the token request body to GRIP; supplied by the client that owns the connection. */
export type TokenRequester = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<HttpResponse>;

interface CachedToken {
  value: string;
  expiresAt: number;
  renewAt: number;
}

const DEFAULT_LIFETIME_S = 3600;
const TOKEN_FETCH_ATTEMPTS = 3;

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
  async getToken(requester: TokenRequester, signal?: AbortSignal): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const now = this.#now();
      const current = this.#current;
      if (current && now < current.renewAt) return current.value;
      if (current && now < current.expiresAt) {
        if (!this.#inflight) this.#start(requester).catch(() => undefined);
        return current.value;
      }
      if (this.#failure && now < this.#failure.until) throw this.#failure.error;
      const pending = this.#inflight ?? this.#start(requester);
      try {
        return (await abortable(pending, signal)).value;
      } catch (err) {
        // The shared request was cancelled because the client that sent it closed; our caller
        // did not ask to stop, so try once more through our own requester.
        if (err instanceof ThingsAbortError && !signal?.aborted && attempt === 0) continue;
        throw err;
      }
    }
  }

  /** Drops `token` if it is the one held (the API rejected it). A newer token is kept. */
  invalidate(token: string): void {
    if (this.#current?.value === token) this.#current = undefined;
  }

  toJSON(): Record<string, unknown> {
    return { tokenUrl: this.tokenUrl, clientId: this.clientId, hasValidToken: this.hasValidToken };
  }

  #start(requester: TokenRequester): Promise<CachedToken> {
    const pending = this.#fetch(requester).finally(() => {
      if (this.#inflight === pending) this.#inflight = undefined;
    });
    this.#inflight = pending;
    return pending;
  }

  async #fetch(requester: TokenRequester): Promise<CachedToken> {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      audience: this.#applicationId,
      client_id: this.clientId,
      client_secret: this.#secret,
    });
    const headers = { 'content-type': MEDIA_TYPES.jsonUtf8, accept: MEDIA_TYPES.json };
    for (let attempt = 1; ; attempt++) {
      const sentAt = this.#now();
      this.fetches++;
      let res: HttpResponse;
      try {
        res = await requester(this.tokenUrl, headers, body);
      } catch (err) {
        const transient = err instanceof ThingsError && (err.kind === 'network' || err.kind === 'timeout');
        if (!transient || attempt >= TOKEN_FETCH_ATTEMPTS) throw err;
        await sleep(backoffDelay(attempt, DEFAULT_RETRY_POLICY));
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        const token = this.#parse(res.text, sentAt);
        this.#current = token;
        this.#failure = undefined;
        return token;
      }
      const transient = res.status === 429 || res.status >= 500;
      if (transient && attempt < TOKEN_FETCH_ATTEMPTS) {
        const wait =
          parseRetryAfter(res.headers['retry-after']) ?? backoffDelay(attempt, DEFAULT_RETRY_POLICY);
        await sleep(Math.min(wait, 10_000));
        continue;
      }
      const error = this.#refusal(res);
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        this.#failure = { error, until: this.#now() + this.#failureCooldownMs };
      }
      throw error;
    }
  }

  #parse(text: string, sentAt: number): CachedToken {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const value = record.access_token ?? record.accessToken;
    if (typeof value !== 'string' || value === '') {
      const hint = 'GRIP answered without an access token: check the token URL of the config node.';
      throw new GripAuthError(
        { type: PROBLEM_TYPES.grip, title: 'GRIP token response unreadable', status: 0, detail: hint },
        hint,
      );
    }
    const rawLifetime = Number(record.expires_in ?? record.expiresIn);
    const lifetimeMs =
      (Number.isFinite(rawLifetime) && rawLifetime > 0 ? rawLifetime : DEFAULT_LIFETIME_S) * 1000;
    const margin = Math.min(Math.max(this.#renewMarginMs, lifetimeMs * 0.1), lifetimeMs * 0.5);
    return { value, expiresAt: sentAt + lifetimeMs, renewAt: sentAt + lifetimeMs - margin };
  }

  #refusal(res: HttpResponse): GripAuthError {
    const hint = gripHint(res.text, res.status);
    const said = excerpt(redact(res.text, [this.#secret]), 200);
    return new GripAuthError(
      {
        type: PROBLEM_TYPES.grip,
        title: 'GRIP token request failed',
        status: res.status,
        detail: said ? `${hint} (GRIP said: ${said})` : hint,
      },
      hint,
    );
  }
}

/** Awaits `promise` unless `signal` aborts first (the promise itself goes on for other callers). */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new ThingsAbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new ThingsAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
