import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import type { Simulator } from '../lib/simulator/types';
import { clientFor, withSimulator } from './support/sim';
import fc from 'fast-check';
import { queryString, type ThingsClient } from '../lib/client';
import { TokenRegistry } from '../lib/auth/token-registry';
import { ENDPOINTS } from '../lib/endpoints';
import {
  GripAuthError,
  problemDetails,
  ThingsAbortError,
  ThingsApiError,
  ThingsError,
  ThingsNetworkError,
  ThingsTimeoutError,
} from '../lib/errors';
import { betaDevicePages, devicePages } from '../lib/resources/devices';
import { customerPages, getCustomer } from '../lib/resources/customers';
import { prepareDownlink, sendDownlink } from '../lib/resources/downlinks';
import { collect, items } from '../lib/pagination';
import { ValidationError } from '../lib/validate';
import type { CursorPage, Device } from '../lib/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (in small real steps, for loopback I/O only) until `done()` holds; fails after 2 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sleep(10);
  assert.ok(done(), 'condition not reached in time');
}

describe('ThingsClient against the simulator', function () {
  let sim: Simulator;
  let client: ThingsClient;

  beforeEach(async () => {
    sim = await withSimulator({ deviceCount: 5 });
    client = clientFor(sim);
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  describe('token cache', () => {
    it('1 000 concurrent calls cause exactly one token request', async () => {
      const calls = Array.from({ length: 1000 }, () =>
        client.call(ENDPOINTS.listDevices, { query: { limit: 1 } }),
      );
      const results = await Promise.all(calls);
      assert.equal(results.length, 1000);
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(sim.tokensIssued, 1);
      assert.equal(sim.requestsFor('POST /token').length, 1);
    });

    it('clients with the same credentials share one token; another secret gets its own', async () => {
      const second = clientFor(sim);
      try {
        await Promise.all([client.authenticate(), second.authenticate()]);
        assert.equal(sim.tokensIssued, 1);
      } finally {
        await second.close();
      }
      const other = clientFor(sim, { clientSecret: 'another-secret' });
      await assert.rejects(other.authenticate(), GripAuthError);
      await other.close();
    });

    it('accepts the camelCase token shape', async () => {
      sim.setTokenShape('camel');
      const res = await client.call<CursorPage<Device>>(ENDPOINTS.listDevices);
      assert.equal(res.body.items.length, 5);
      assert.equal(sim.tokensIssued, 1);
    });

    it('renews a short-lived token once per lifetime, 10 % before it expires', async () => {
      // A 10 s token: the 5 min default margin does not fit, so renewal is due at 9 s (not at 5 s).
      let now = Date.now();
      sim.setTokenLifetime(10);
      const timed = clientFor(sim, { clock: () => now, tokens: new TokenRegistry() });
      try {
        await timed.call(ENDPOINTS.listDevices);
        const issued = sim.tokensIssued;
        now += 8_500;
        await timed.call(ENDPOINTS.listDevices);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(sim.tokensIssued, issued, 'no renewal at 85 % of the lifetime');
        now += 1_000;
        await timed.call(ENDPOINTS.listDevices);
        await until(() => sim.tokensIssued === issued + 1);
      } finally {
        sim.setTokenLifetime(3600);
        await timed.close();
      }
    });

    it('renews the token before it expires, without a failed call (injected clock, no sleeps)', async () => {
      // One-hour token, 5 min margin: renewal is due at 55 min. The clock is the client's own option.
      let now = Date.now();
      const timed = clientFor(sim, { clock: () => now, tokens: new TokenRegistry() });
      try {
        await timed.call(ENDPOINTS.listDevices);
        assert.equal(sim.tokensIssued, 1);
        now += 56 * 60_000; // inside the renewal margin, before expiry: the held token is used, a new one fetched
        await timed.call(ENDPOINTS.listDevices);
        await until(() => sim.tokensIssued === 2);
        now += 5 * 60_000; // the first token has expired; the renewed one is used
        await timed.call(ENDPOINTS.listDevices);
        assert.equal(sim.tokensIssued, 2);
        assert.equal(timed.stats().tokenFetches, 2);
        assert.equal(sim.requests.filter((r) => r.status === 401).length, 0);
        now += 2 * 3_600_000; // long past both: a fresh token before the call, never an expired one
        await timed.call(ENDPOINTS.listDevices);
        assert.equal(sim.tokensIssued, 3);
      } finally {
        await timed.close();
      }
    });

    // 401: the Getting Started reading; 302: the APIs page's, and the simulator's default.
    for (const status of [401, 302] as const) {
      it(`after a ${status} drops the token, fetches one new token and retries once`, async () => {
        sim.setBadTokenStatus(status);
        await client.authenticate();
        sim.revokeTokens();
        const res = await client.call(ENDPOINTS.listDevices);
        assert.equal(res.status, 200);
        assert.equal(res.retries, 1);
        assert.equal(sim.tokensIssued, 2);
        assert.equal(sim.requestsFor('GET /devices').filter((r) => r.status === status).length, 1);
      });
    }

    it('retries a 401 only once', async () => {
      sim.inject({ route: 'GET /devices', status: 401 });
      const err = await client.call(ENDPOINTS.listDevices).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsApiError);
      assert.equal(err.status, 401);
      assert.equal(err.kind, 'auth');
      assert.equal(sim.requestsFor('GET /devices').length, 2);
      assert.equal(sim.tokensIssued, 2);
    });

    it('treats the beta API 302 as an auth failure: refresh and retry, never follow', async () => {
      await client.authenticate();
      sim.revokeTokens();
      const page = await betaDevicePages(client, { pageSize: 2 }).next();
      assert.equal(page.done, false);
      assert.equal(sim.tokensIssued, 2);
      assert.equal(sim.requestsFor('GET /api/devices').filter((r) => r.status === 302).length, 1);
    });

    for (const [name, setup, hint] of [
      ['a wrong secret', { clientSecret: 'Wr0ng-S3cret-Value' }, 'grip.credentials-wrong'],
      ['a wrong tenant', { tenantId: 'no-such-tenant' }, 'grip.tenant-wrong'],
    ] as const) {
      it(`turns ${name} into a GRIP error with a hint and no secret`, async () => {
        const bad = clientFor(sim, setup);
        try {
          const err = await bad.call(ENDPOINTS.listDevices).then(
            () => assert.fail('should fail'),
            (e: unknown) => e,
          );
          assert.ok(err instanceof GripAuthError);
          assert.equal(err.hint, hint);
          assert.equal(problemDetails(err).hint, hint);
          assert.equal(err.retries, 0, 'a documented refusal is not retried');
          assertNoSecret(err, ['Wr0ng-S3cret-Value', sim.credentials.clientSecret]);
        } finally {
          await bad.close();
        }
      });
    }

    it('explains an API key without the KPN Things service', async () => {
      const other = await withSimulator({ keyWithoutThingsService: true });
      const bad = clientFor(other);
      try {
        const err = await bad.authenticate().then(
          () => assert.fail('should fail'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof GripAuthError);
        assert.equal(err.hint, 'grip.service-missing');
        assertNoSecret(err, [other.credentials.clientSecret]);
      } finally {
        await bad.close();
        await other.close();
      }
    });

    it('remembers a GRIP refusal briefly instead of asking again for every message', async () => {
      const bad = clientFor(sim, { clientSecret: 'wrong-again' });
      try {
        for (let i = 0; i < 5; i++) await assert.rejects(bad.authenticate(), GripAuthError);
        assert.equal(sim.requestsFor('POST /token').length, 1);
      } finally {
        await bad.close();
      }
    });
  });

  describe('errors', () => {
    it('maps problem+json to ThingsApiError with every RFC 7807 field', async () => {
      const err = await client.request({ method: 'GET', path: '/devices', query: { limit: -1 } }).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsApiError);
      assert.equal(err.status, 400);
      assert.equal(err.title, 'Invalid request');
      assert.match(err.detail ?? '', /limit/);
      assert.match(err.instance ?? '', /\/devices/);
      assert.equal(err.problem.status, 400);
    });

    it('synthesises problem details from a plain-text error body, keeping the status', async () => {
      sim.inject({
        route: 'GET /clients/{id}',
        status: 500,
        body: 'upstream exploded',
        contentType: 'text/plain',
      });
      const err = await getCustomer(client, sim.customers[0].id).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsApiError);
      assert.equal(err.status, 500);
      assert.equal(err.detail, 'upstream exploded');
      assert.equal(err.title, 'Internal server error');
    });

    it('keeps the status when a success body is not JSON', async () => {
      sim.inject({ route: 'GET /devices', malformedJson: true, times: 1 });
      const err = await client.call(ENDPOINTS.listDevices).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsError);
      assert.equal(err.kind, 'malformed-response');
      assert.equal(err.status, 200);
    });

    it('times out a slow answer', async () => {
      sim.inject({ route: 'GET /devices', latencyMs: 1000 });
      const err = await client.call(ENDPOINTS.listDevices, { timeoutMs: 100 }).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsTimeoutError);
      assert.equal(err.problem.status, 0);
      assert.match(err.message, /100 ms/);
    });

    it('refuses a response larger than the cap', async () => {
      const small = clientFor(sim, { maxResponseBytes: 200 });
      try {
        const err = await small.call(ENDPOINTS.listDevices).then(
          () => assert.fail('should fail'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof ThingsError);
        assert.equal(err.title, 'Response too large');
      } finally {
        await small.close();
      }
    });

    it('close() aborts calls in flight', async () => {
      sim.inject({ route: 'GET /devices', latencyMs: 2000 });
      const pending = assert.rejects(client.call(ENDPOINTS.listDevices), ThingsAbortError);
      await sleep(50);
      const started = Date.now();
      await client.close();
      await pending;
      assert.ok(Date.now() - started < 1000);
      await assert.rejects(client.call(ENDPOINTS.listDevices), ThingsAbortError);
    });
  });

  describe('retries', () => {
    it('honours Retry-After on a 429 and counts the retry', async () => {
      sim.inject({ route: 'GET /devices', status: 429, retryAfter: '1', times: 1 });
      const started = Date.now();
      const res = await client.call(ENDPOINTS.listDevices);
      assert.equal(res.status, 200);
      assert.equal(res.retries, 1);
      assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
      assert.equal(client.stats().retries, 1);
    });

    it('pauses every call of the credential after a 429', async () => {
      await client.authenticate();
      sim.inject({ route: 'GET /devices', status: 429, retryAfter: '1', times: 1 });
      const first = client.call(ENDPOINTS.listDevices);
      await sleep(100);
      sim.clearRequests();
      const second = client.call(ENDPOINTS.getCustomer, { params: { customerId: sim.ownClientId } });
      await sleep(300);
      assert.equal(sim.requests.length, 0, 'no call went out during the pause');
      await Promise.all([first, second]);
    });

    it('gives up when Retry-After is beyond the cap', async () => {
      const capped = clientFor(sim, { retry: { maxRetryAfterMs: 500 } });
      try {
        sim.inject({ route: 'GET /devices', status: 503, retryAfter: '30', times: 1 });
        const err = await capped.call(ENDPOINTS.listDevices).then(
          () => assert.fail('should fail'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof ThingsApiError);
        assert.equal(err.status, 503);
        assert.equal(err.retries, 0);
      } finally {
        await capped.close();
      }
    });

    it('retries a GET after a connection reset', async () => {
      sim.inject({ route: 'GET /devices', reset: true, times: 1 });
      const res = await client.call(ENDPOINTS.listDevices);
      assert.equal(res.status, 200);
      assert.equal(res.retries, 1);
    });

    it('never retries a POST after a connection reset (the server may have acted)', async () => {
      sim.inject({ route: 'POST /api/actuator/downlinks', reset: true, times: 1 });
      const downlink = prepareDownlink({ devEUI: sim.devEUIs()[0], payload: '01ab', port: 10 });
      const err = await sendDownlink(client, downlink).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsNetworkError);
      assert.equal(err.retries, 0);
      assert.equal(sim.requestsFor('POST /api/actuator/downlinks').length, 1);
    });

    it('retries a POST on 503 (the server did not act)', async () => {
      sim.inject({ route: 'POST /api/actuator/downlinks', status: 503, times: 1 });
      const downlink = prepareDownlink({ devEUI: sim.devEUIs()[0], payload: '01ab', port: 10 });
      const res = await sendDownlink(client, downlink);
      assert.equal(res.status, 201);
      assert.equal(res.retries, 1);
    });

    it('does not retry a POST on 502', async () => {
      sim.inject({ route: 'POST /api/actuator/downlinks', status: 502, times: 1 });
      const downlink = prepareDownlink({ devEUI: sim.devEUIs()[0], payload: '01ab', port: 10 });
      await assert.rejects(
        sendDownlink(client, downlink),
        (e: unknown) => e instanceof ThingsApiError && e.status === 502,
      );
      assert.equal(sim.requestsFor('POST /api/actuator/downlinks').length, 1);
    });
  });

  describe('reseller context', () => {
    it('sends KPN-Things-Security-Context for a customer', async () => {
      const customer = sim.customers[0].id;
      const res = await client.call<CursorPage<Device>>(ENDPOINTS.listDevices, { customerId: customer });
      const sent = sim.requestsFor('GET /devices')[0];
      assert.equal(sent.headers['kpn-things-security-context'], `client:uuid:${customer}`);
      assert.ok(res.body.items.every((d) => d.clientId === customer));
    });

    it('uses the default customer of the client unless the call says null', async () => {
      const reseller = clientFor(sim, { customerId: sim.customers[1].id.toUpperCase() });
      try {
        await reseller.call(ENDPOINTS.listDevices);
        await reseller.call(ENDPOINTS.listDevices, { customerId: null });
        const [withContext, without] = sim.requestsFor('GET /devices');
        assert.equal(
          withContext.headers['kpn-things-security-context'],
          `client:uuid:${sim.customers[1].id}`,
        );
        assert.equal(without.headers['kpn-things-security-context'], undefined);
      } finally {
        await reseller.close();
      }
    });

    it('refuses a malformed customer id before any request', async () => {
      await assert.rejects(client.call(ENDPOINTS.listDevices, { customerId: 'not-a-uuid' }), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, 'customerId');
        return true;
      });
      assert.equal(sim.requests.length, 0);
    });

    it('legacy mode: one context switch per customer, then x-client-id', async () => {
      const legacy = clientFor(sim, { contextMode: 'legacy' });
      try {
        const customer = sim.customers[0].id;
        await Promise.all([1, 2, 3].map(() => legacy.call(ENDPOINTS.listDevices, { customerId: customer })));
        assert.equal(sim.requestsFor('GET /api/v1/lifecycle/clients/{id}/context-switch').length, 1);
        for (const r of sim.requestsFor('GET /devices')) assert.equal(r.headers['x-client-id'], customer);
      } finally {
        await legacy.close();
      }
    });
  });

  describe('security', () => {
    it('never sends the token to a host named by a link; rebases it onto the API origin', async () => {
      const res = await client.request({ method: 'GET', url: 'http://198.51.100.7:9/devices?limit=2' });
      assert.equal(res.status, 200);
      assert.ok(res.url.startsWith(sim.apiUrl));
    });

    it('keeps secret and token out of inspect(), JSON and errors', async () => {
      await client.authenticate();
      const text = inspect(client, { depth: 5 }) + JSON.stringify(client);
      assert.ok(!text.includes(sim.credentials.clientSecret));
    });
  });
});

describe('pagination against the simulator', function () {
  let sim: Simulator;
  let client: ThingsClient;
  before(async () => {
    sim = await withSimulator({ deviceCount: 250 });
    client = clientFor(sim);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });

  it('follows next links over every page (current API)', async () => {
    sim.clearRequests();
    const result = await collect(devicePages(client, { limit: 20 }));
    assert.equal(result.items.length, 250);
    assert.equal(result.pages, 13);
    assert.equal(result.truncated, false);
    assert.equal(new Set(result.items.map((d) => d.id)).size, 250);
  });

  it('stops fetching at the max-items cap', async () => {
    sim.clearRequests();
    const result = await collect(devicePages(client, { limit: 20 }), 45);
    assert.equal(result.items.length, 45);
    assert.equal(result.truncated, true);
    assert.equal(sim.requestsFor('GET /devices').length, 3);
  });

  it('streams items lazily: breaking out fetches no further page', async () => {
    sim.clearRequests();
    let seen = 0;
    for await (const device of items(devicePages(client, { limit: 10 }))) {
      assert.ok(device.id);
      if (++seen === 15) break;
    }
    assert.equal(sim.requestsFor('GET /devices').length, 2);
  });

  it('walks page numbers until last (beta API)', async () => {
    const result = await collect(betaDevicePages(client, { pageSize: 40 }));
    assert.equal(result.items.length, 250);
    assert.equal(result.pages, 7);
    assert.ok(result.items.every((d) => typeof d.uuid === 'string'));
  });

  it('passes filters and sort to the API', async () => {
    const result = await collect(devicePages(client, { q: '001', sort: '-createdAt', limit: 5 }));
    assert.ok(result.items.length >= 1);
    for (const d of result.items) assert.match(`${d.name} ${d.description ?? ''}`.toLowerCase(), /001/);
  });

  it('starts from a cursor link', async () => {
    const first = await devicePages(client, { limit: 100 }).next();
    assert.ok(!first.done && first.value.next);
    const rest = await collect(devicePages(client, {}, { cursor: first.value.next ?? undefined }));
    assert.equal(rest.items.length, 150);
  });

  it('lists customers', async () => {
    const result = await collect(customerPages(client));
    assert.equal(result.items.length, sim.customers.length);
  });

  it('validates list queries before any request', async () => {
    sim.clearRequests();
    assert.throws(() => devicePages(client, { limit: 0 }), ValidationError);
    assert.throws(() => devicePages(client, { createdSince: 'yesterday' }), ValidationError);
    assert.throws(() => devicePages(client, { __proto__x: 'x' }), /query\.__proto__x/);
    assert.throws(() => devicePages(client, { projectId: { nested: true } }), /query\.projectId/);
    assert.throws(() => betaDevicePages(client, { q: 'x' }), /query\.q.*search/);
    assert.equal(sim.requests.length, 0);
  });

  it('passes filters it does not know through (the documented filters are only the most common)', async () => {
    sim.clearRequests();
    // Sent as given; should a server refuse the size, its own problem details reach the caller.
    await devicePages(client, { projectId: 'p-1', limit: 1500 })
      .next()
      .catch((err: unknown) => assert.ok(err instanceof ThingsApiError && err.status === 400));
    const sent = sim.requestsFor('GET /devices').at(-1);
    assert.equal(sent?.query.projectId, 'p-1');
    assert.equal(sent?.query.limit, '1500', 'no invented maximum');
  });
});

function assertNoSecret(err: unknown, secrets: string[]): void {
  const text = [
    String(err),
    inspect(err, { depth: 6 }),
    JSON.stringify(err),
    (err as Error).stack ?? '',
  ].join('\n');
  for (const secret of secrets)
    assert.ok(!text.includes(secret), `secret "${secret}" leaked into: ${text.slice(0, 500)}`);
}

describe('query strings', () => {
  it('are written exactly as URLSearchParams writes them', () => {
    const value = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer());
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(value, fc.array(value))), (query) => {
        const expected = new URL('http://127.0.0.1/x');
        for (const [name, v] of Object.entries(query)) {
          if (v === '') continue;
          for (const item of Array.isArray(v) ? v : [v]) expected.searchParams.append(name, String(item));
        }
        assert.equal(`http://127.0.0.1/x${queryString(query)}`, expected.toString());
      }),
    );
  });

  it('leave out absent values and write dates as ISO 8601', () => {
    const at = new Date(Date.UTC(2024, 0, 31, 12));
    assert.equal(
      queryString({ a: undefined, b: null, c: '', d: at, e: 'x y' }),
      '?d=2024-01-31T12%3A00%3A00.000Z&e=x+y',
    );
    assert.equal(queryString(undefined), '');
  });
});
