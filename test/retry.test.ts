import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  parseRetryAfter,
  retryDelay,
  shouldRetryNetworkError,
  shouldRetryStatus,
} from '../lib/retry';

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('0.5', now), 500);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('retries 429 and 503 for every method, 502/504 only for idempotent ones', () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      assert.equal(shouldRetryStatus(method, 429), true);
      assert.equal(shouldRetryStatus(method, 503), true);
      assert.equal(shouldRetryStatus(method, 500), false);
      assert.equal(shouldRetryStatus(method, 400), false);
    }
    assert.equal(shouldRetryStatus('GET', 502), true);
    assert.equal(shouldRetryStatus('GET', 504), true);
    assert.equal(shouldRetryStatus('POST', 502), false);
    assert.equal(shouldRetryStatus('POST', 504), false);
  });

  it('retries a POST only when the request cannot have reached the server', () => {
    assert.equal(shouldRetryNetworkError('POST', 'ECONNREFUSED'), true);
    assert.equal(shouldRetryNetworkError('POST', 'UND_ERR_CONNECT_TIMEOUT'), true);
    assert.equal(shouldRetryNetworkError('POST', 'ECONNRESET'), false);
    assert.equal(shouldRetryNetworkError('POST', 'UND_ERR_SOCKET'), false);
    assert.equal(shouldRetryNetworkError('GET', 'ECONNRESET'), true);
    assert.equal(shouldRetryNetworkError('GET', 'UND_ERR_SOCKET'), true);
    assert.equal(shouldRetryNetworkError('GET', undefined), false);
    assert.equal(shouldRetryNetworkError('GET', 'EWHATEVER'), false);
  });

  it('never waits past the cap, the deadline or the retry count', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 3, maxRetryAfterMs: 10_000, deadlineMs: 20_000 };
    assert.equal(retryDelay(1, policy, 5_000, 0), 5_000);
    assert.equal(retryDelay(1, policy, 11_000, 0), undefined, 'Retry-After beyond the cap');
    assert.equal(retryDelay(1, policy, 5_000, 16_000), undefined, 'would pass the deadline');
    assert.equal(retryDelay(4, policy, undefined, 0), undefined, 'retries used up');
  });

  it('backs off with jitter between half and all of an exponential ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (retry, r) => {
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (retry - 1),
          );
          const delay = backoffDelay(retry, DEFAULT_RETRY_POLICY, () => r);
          return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
        },
      ),
    );
  });
});
