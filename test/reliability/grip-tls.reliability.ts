/**
 * Library level, against the simulator in its own process:
 * - GRIP outage: clear errors, concurrent callers share one token fetch (and its retries), recovery
 *   when GRIP is back; a forward clock jump never keeps an expired token (injectable clock).
 * - TLS: an API behind a self-signed certificate (test/fixtures/tls) is refused by default and
 *   accepted with that certificate as the configured CA (client `ca` option).
 */
import assert from 'node:assert/strict';
import { ENDPOINTS, ThingsClient, TokenProvider } from '../../lib';
import type { TokenRequester } from '../../lib/auth/token-provider';
import { DEFAULT_RETRY_POLICY } from '../../lib/retry';
import { SimProcess } from '../harness';
import { clientFor } from '../support/sim';
import { startTlsFront, type TlsFront } from '../support/tls-front';

const listOne = (client: ThingsClient): Promise<unknown> =>
  client.call(ENDPOINTS.listDevices, { query: { limit: 1 } });

describe('reliability: GRIP outage', function () {
  this.timeout(60_000);
  let sim: SimProcess;

  beforeEach(async () => {
    sim = await SimProcess.start({ deviceCount: 3 });
  });

  afterEach(async () => {
    await sim.close();
  });

  it('GRIP down: clear errors, 20 concurrent callers share one fetch, recovery when it is back', async () => {
    const client = clientFor(sim.info);
    try {
      await sim.inject({ route: 'POST /token', status: 503 });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => listOne(client)));
      const outage = await sim.stats();
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        const message = String((result as PromiseRejectedResult).reason?.message);
        assert.match(message, /token|GRIP|503/i, `a clear error: ${message}`);
        assert.ok(!message.includes(sim.credentials.clientSecret));
      }
      assert.equal(outage.apiRequests, 0, 'no API call without a token');
      assert.ok(
        outage.tokenRequests >= 1 && outage.tokenRequests <= 1 + DEFAULT_RETRY_POLICY.maxRetries,
        `one shared fetch with its retries, not one per caller (${outage.tokenRequests})`,
      );

      await sim.clearFaults();
      const back = await Promise.allSettled(Array.from({ length: 20 }, () => listOne(client)));
      assert.deepEqual(
        back.map((r) => r.status),
        Array(20).fill('fulfilled'),
        'recovered',
      );
      const after = await sim.stats();
      assert.equal(after.tokensIssued, 1, 'one token for 20 callers after recovery');
    } finally {
      await client.close();
    }
  });

  it('a forward clock jump past expiry never keeps the expired token', async () => {
    let clock = 1_000_000;
    let issued = 0;
    const provider = new TokenProvider({
      tokenUrl: 'http://127.0.0.1:9/token',
      applicationId: 'app',
      clientId: 'id',
      clientSecret: 'secret',
      now: () => clock,
    });
    const requester: TokenRequester = {
      policy: DEFAULT_RETRY_POLICY,
      post: async () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        text: JSON.stringify({ access_token: `token-${++issued}`, expires_in: 3600, token_type: 'Bearer' }),
      }),
    };
    assert.equal(await provider.getToken(requester), 'token-1');
    assert.equal(await provider.getToken(requester), 'token-1', 'cached');
    clock += 2 * 3600_000; // e.g. a suspended laptop or an NTP step
    assert.equal(await provider.getToken(requester), 'token-2', 'expired token dropped');
    clock += 3599_000 + 1;
    assert.notEqual(await provider.getToken(requester), 'token-1');
  });
});

describe('reliability: TLS to a self-signed API', function () {
  this.timeout(60_000);
  let sim: SimProcess;
  let front: TlsFront;
  let httpsUrl: string;
  let cert: string;

  before(async () => {
    sim = await SimProcess.start({ deviceCount: 3 });
    front = await startTlsFront(sim.apiUrl);
    httpsUrl = front.url;
    cert = front.cert;
  });

  after(async () => {
    await front.close();
    await sim.close();
  });

  it('is refused by default, naming the certificate problem', async () => {
    const client = clientFor(sim.info, { apiUrl: httpsUrl, retry: { maxRetries: 0 } });
    try {
      await assert.rejects(listOne(client), (error: Error) => {
        assert.match(
          `${error.message} ${String((error as { cause?: unknown }).cause)}`,
          /certificate|self.signed/i,
        );
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('is accepted with the certificate as the configured CA', async () => {
    const client = clientFor(sim.info, { apiUrl: httpsUrl, ca: cert });
    try {
      await listOne(client);
      assert.equal((await sim.stats()).apiRequests >= 1, true);
    } finally {
      await client.close();
    }
  });
});
