/**
 * When to try a request again, and how long to wait. Pure functions: the client applies them.
 *
 * - 429 and 503: retried for every method (the server did not act), honouring Retry-After.
 * - GET (and other idempotent methods): also 502, 504 and connection failures of any kind.
 * - POST and other non-idempotent methods: otherwise only where the request cannot have reached
 *   the server (connection refused, connect timeout, DNS failure).
 * Every wait is bounded by the policy's total deadline.
 */
import type { HttpMethod } from './endpoints';

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

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
