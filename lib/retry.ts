/**
 * When to try a request again, how long to wait, and the one executor that does it (runWithRetry),
 * used by every API request and by the GRIP token fetch.
 *
 * - 429 and 503: retried for every method (the server did not act), honouring Retry-After.
 * - GET (and other idempotent methods): also 502, 504 and connection failures of any kind.
 * - POST and other non-idempotent methods: otherwise only where the request cannot have reached
 *   the server (connection refused, connect timeout, DNS failure).
 * Every wait is bounded by the policy's total deadline.
 */
import type { HttpMethod } from './endpoints';
import { ThingsAbortError, type ThingsError } from './errors';

export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  maxRetries: number;
  /** First backoff step (default 250 ms); doubles each retry, full jitter. */
  baseDelayMs: number;
  /** Largest single backoff wait (default 8 s). */
  maxDelayMs: number;
  /** Largest Retry-After honoured (default 60 s); a longer one is not waited for. */
  maxRetryAfterMs: number;
  /** Total time from the first attempt within which retries may start (default 60 s). */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  deadlineMs: 60_000,
};

/** Error codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** Error codes of a connection that failed while a request may have been in flight. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  ...NOT_SENT_CODES,
]);

export function isIdempotent(method: HttpMethod): boolean {
  return method === 'GET' || method === 'PUT' || method === 'DELETE';
}

export function shouldRetryStatus(method: HttpMethod, status: number): boolean {
  if (status === 429 || status === 503) return true;
  return isIdempotent(method) && (status === 502 || status === 504);
}

export function shouldRetryNetworkError(method: HttpMethod, code: string | undefined): boolean {
  if (code === undefined) return false;
  if (NOT_SENT_CODES.has(code)) return true;
  return isIdempotent(method) && CONNECTION_CODES.has(code);
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full-jitter exponential backoff for retry number `retry` (1-based). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long to wait before retry number `retry`, or undefined when no retry should be made
 * (retries used up, Retry-After beyond the cap, or the wait would pass the deadline).
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  elapsedMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (retry > policy.maxRetries) return undefined;
  let delay: number;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > policy.maxRetryAfterMs) return undefined;
    delay = retryAfterMs;
  } else {
    delay = backoffDelay(retry, policy, random);
  }
  if (elapsedMs + delay > policy.deadlineMs) return undefined;
  return delay;
}

/** Resolves after `ms`, or rejects with the reason of the first of `signals` to abort. */
export function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve, reject) => {
    for (const signal of signals) {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
    }
    const detach = (): void => {
      for (const signal of signals) signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = function (this: AbortSignal): void {
      clearTimeout(timer);
      detach();
      reject(this.reason);
    };
    const timer = setTimeout(() => {
      detach();
      resolve();
    }, ms);
    for (const signal of signals) signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What one attempt came to: a value, a final failure, or a failure worth another attempt. */
export type AttemptResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: ThingsError;
      /** Try again (subject to the policy); false: give up with `error` now. */
      readonly retry: boolean;
      /** The server's Retry-After, in ms. */
      readonly retryAfterMs?: number;
      /** Try again at once, without waiting (a refreshed token); still counted as a retry. */
      readonly immediate?: boolean;
    };

export interface RetryRun {
  policy: RetryPolicy;
  /** Any of these cancels the waits between attempts (the attempts get their signal from their caller). */
  signals?: (AbortSignal | undefined)[];
  /** Clock (tests); default Date.now. */
  now?: () => number;
  random?: () => number;
  /** Told of every retry about to be made, with the wait before it (e.g. to pause a credential on 429). */
  onRetry?: (error: ThingsError, delayMs: number) => void;
}

/** A failure with the retries made before it; an abort during a wait becomes a ThingsAbortError. */
export interface Retried<T> {
  value: T;
  retries: number;
}

/**
 * THE retry executor: runs `attempt` until it succeeds, fails for good, or the policy (retries,
 * Retry-After cap, total deadline) says stop. Every error it throws carries `retries`.
 */
export async function runWithRetry<T>(
  attempt: (retries: number) => Promise<AttemptResult<T>>,
  run: RetryRun,
): Promise<Retried<T>> {
  const now = run.now ?? Date.now;
  const started = now();
  let retries = 0;
  for (;;) {
    const result = await attempt(retries);
    if (result.ok) return { value: result.value, retries };
    const error = result.error;
    if (!result.retry) throw withRetries(error, retries);
    let delay: number | undefined = 0;
    if (!result.immediate) {
      delay = retryDelay(retries + 1, run.policy, result.retryAfterMs, now() - started, run.random);
      if (delay === undefined) throw withRetries(error, retries);
    }
    retries++;
    run.onRetry?.(error, delay);
    if (delay > 0) {
      try {
        await sleep(delay, ...(run.signals ?? []));
      } catch {
        throw withRetries(new ThingsAbortError(), retries);
      }
    } else if (run.signals?.some((signal) => signal?.aborted)) {
      throw withRetries(new ThingsAbortError(), retries);
    }
  }
}

function withRetries<E extends ThingsError>(error: E, retries: number): E {
  error.retries = retries;
  return error;
}
