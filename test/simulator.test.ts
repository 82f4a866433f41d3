import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { startSimulator, type Simulator } from '../lib/simulator';
import {
  ACTUATOR_TYPE,
  DEVICE_TYPE,
  getToken,
  postToken,
  readJson,
  tokenBody,
  tokenUrl,
  type Page,
} from './support/sim-http';

describe('KPN Things simulator', function () {
  let sim: Simulator;
  let token: string;
  const api = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sim.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      redirect: 'manual',
    });

  before(async function () {
    sim = await startSimulator({ deviceCount: 30, customerCount: 3, devicesPerCustomer: 4 });
    token = await getToken(sim);
  });
  after(async function () {
    await sim.close();
  });
  afterEach(function () {
    sim.clearFaults();
  });

  describe('seeded data', function () {
    it('is deterministic per seed and exposes customers and DevEUIs', async function () {
      const a = await startSimulator({ seed: 7 });
      const b = await startSimulator({ seed: 7 });
      const c = await startSimulator({ seed: 8 });
      try {
        assert.equal(a.ownClientId, b.ownClientId);
        assert.deepEqual(a.customers, b.customers);
        assert.deepEqual(a.devEUIs(), b.devEUIs());
        assert.notEqual(a.ownClientId, c.ownClientId);
        assert.equal(a.devEUIs().length, 5);
        assert.equal(a.customers.length, 3);
        assert.equal(a.customers[0].name, 'Acme Farms');
        for (const eui of a.devEUIs()) assert.match(eui, /^[0-9A-F]{16}$/);
        assert.equal(new Set(sim.devEUIs()).size, 30);
        assert.deepEqual(a.credentials, {
          tenantId: 'thingsflow-demo',
          clientId: 'demo-client',
          clientSecret: 'demo-secret-please-change',
          applicationId: '4dc82561-f65f-523g-dek9-6c79ec314f02',
        });
      } finally {
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });
  });

  describe('GRIP token endpoint', function () {
    it('answers the snake_case shape by default and camelCase when switched', async function () {
      const before = sim.tokensIssued;
      const snake = await readJson(await postToken(sim, tokenBody(sim)));
      assert.equal(typeof snake.access_token, 'string');
      assert.equal(snake.token_type, 'Bearer');
      assert.equal(snake.expires_in, 3600);
      sim.setTokenShape('camel');
      sim.setTokenLifetime(1.5);
      try {
        const camel = await readJson(await postToken(sim, tokenBody(sim)));
        assert.equal(typeof camel.accessToken, 'string');
        assert.equal(camel.token_type, 'Bearer');
        assert.equal(camel.expiresIn, 1.5);
        assert.equal(camel.access_token, undefined);
        assert.notEqual(camel.accessToken, snake.access_token);
      } finally {
        sim.setTokenShape('snake');
        sim.setTokenLifetime(3600);
      }
      assert.equal(sim.tokensIssued, before + 2);
    });

    it('also serves the tenant-less v3 token path', async function () {
      const res = await postToken(sim, tokenBody(sim), `${sim.gripUrl}/api/v3/idp/oidc/token`);
      assert.equal(res.status, 200);
      assert.equal(typeof (await readJson(res)).access_token, 'string');
    });

    it("answers GRIP's known error texts", async function () {
      const cases: [string, string, number, string | RegExp][] = [
        [tokenUrl(sim, 'wrong-tenant'), tokenBody(sim), 400, 'SAML request error: "idpId" not found.'],
        [
          tokenUrl(sim),
          tokenBody(sim, { client_secret: 'nope' }),
          401,
          'Feature user does not exist anymore.',
        ],
        [tokenUrl(sim), tokenBody(sim, { client_id: 'nobody' }), 401, 'Feature user does not exist anymore.'],
        [tokenUrl(sim), tokenBody(sim, { audience: 'other-app' }), 400, /audience/],
        [tokenUrl(sim), tokenBody(sim, { grant_type: 'password' }), 400, /grant_type/],
        [tokenUrl(sim), '{not json', 400, /JSON/],
      ];
      const issued = sim.tokensIssued;
      for (const [url, body, status, message] of cases) {
        const res = await postToken(sim, body, url);
        assert.equal(res.status, status, `${url} ${body}`);
        const json = await readJson(res);
        if (typeof message === 'string') assert.equal(json.message, message);
        else assert.match(String(json.message), message);
      }
      assert.equal(sim.tokensIssued, issued);
    });

    it('answers "Feature service does not exist anymore." for a key without KPN Things', async function () {
      const other = await startSimulator({ keyWithoutThingsService: true, deviceCount: 0, customerCount: 0 });
      try {
        const res = await postToken(other, tokenBody(other));
        assert.equal(res.status, 403);
        assert.equal((await readJson(res)).message, 'Feature service does not exist anymore.');
      } finally {
        await other.close();
      }
    });
  });

  describe('authentication on the API', function () {
    it('answers 302 to GRIP login for a missing or unknown token on the current API (APIs page)', async function () {
      for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
        const res = await fetch(`${sim.apiUrl}/devices`, { headers, redirect: 'manual' });
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), `${sim.gripUrl}/login`);
        assert.equal(await res.text(), '');
      }
    });

    it('answers 401 problem+json instead when badTokenStatus is 401 (Getting Started reading)', async function () {
      sim.setBadTokenStatus(401);
      try {
        const missing = await fetch(`${sim.apiUrl}/devices`);
        assert.equal(missing.status, 401);
        assert.equal(missing.headers.get('content-type'), 'application/problem+json');
        const body = await readJson(missing);
        assert.equal(body.status, 401);
        assert.equal(body.title, 'Unauthorized');
        assert.equal(body.instance, '/devices');
        const unknown = await fetch(`${sim.apiUrl}/devices`, { headers: { authorization: 'Bearer nope' } });
        assert.equal(unknown.status, 401);
        await unknown.body?.cancel();
        const beta = await fetch(`${sim.apiUrl}/api/devices`, {
          headers: { accept: DEVICE_TYPE },
          redirect: 'manual',
        });
        assert.equal(beta.status, 302, 'the beta API always answers 302');
        await beta.body?.cancel();
      } finally {
        sim.setBadTokenStatus(302);
      }
      assert.throws(() => sim.setBadTokenStatus(403 as 401), /302 or 401/);
    });

    it('refuses an expired token', async function () {
      sim.setTokenLifetime(0.05);
      let short: string;
      try {
        short = await getToken(sim);
      } finally {
        sim.setTokenLifetime(3600);
      }
      await new Promise((resolve) => setTimeout(resolve, 80));
      const headers = { authorization: `Bearer ${short}` };
      const res = await fetch(`${sim.apiUrl}/devices`, { headers, redirect: 'manual' });
      assert.equal(res.status, 302);
      await res.body?.cancel();
      sim.setBadTokenStatus(401);
      try {
        const detailed = await fetch(`${sim.apiUrl}/devices`, { headers });
        assert.equal(detailed.status, 401);
        assert.match(String((await readJson(detailed)).detail), /expired/);
      } finally {
        sim.setBadTokenStatus(302);
      }
    });

    it('answers 302 on both APIs to revoked tokens (401 on the current API when so set)', async function () {
      const other = await startSimulator();
      try {
        const t = await getToken(other);
        const headers = { authorization: `Bearer ${t}` };
        const ok = await fetch(`${other.apiUrl}/devices`, { headers });
        assert.equal(ok.status, 200);
        await ok.body?.cancel();
        other.revokeTokens();
        for (const [path, accept] of [
          ['/devices', 'application/json'],
          ['/downlinks', 'application/json'],
          ['/api/devices', DEVICE_TYPE],
        ]) {
          const res = await fetch(`${other.apiUrl}${path}`, {
            headers: { ...headers, accept },
            redirect: 'manual',
          });
          assert.equal(res.status, 302, path);
          await res.body?.cancel();
        }
        other.setBadTokenStatus(401);
        const res = await fetch(`${other.apiUrl}/devices`, { headers });
        assert.equal(res.status, 401);
        assert.match(String((await readJson(res)).detail), /revoked/);
        const fresh = await getToken(other);
        const again = await fetch(`${other.apiUrl}/devices`, {
          headers: { authorization: `Bearer ${fresh}` },
        });
        assert.equal(again.status, 200);
        await again.body?.cancel();
      } finally {
        await other.close();
      }
    });

    it('answers 302 to GRIP login with an empty body on beta auth failures', async function () {
      const res = await fetch(`${sim.apiUrl}/api/devices`, {
        headers: { accept: DEVICE_TYPE },
        redirect: 'manual',
      });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `${sim.gripUrl}/login`);
      assert.equal(await res.text(), '');
    });
  });

  describe('GET /devices', function () {
    async function walk(first: string): Promise<Page[]> {
      const pages: Page[] = [];
      let url: string | null | undefined = `${sim.apiUrl}${first}`;
      while (url) {
        const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, url);
        const page = await readJson<Page>(res);
        pages.push(page);
        url = page.next;
      }
      return pages;
    }

    it('walks every page with cursor links and no totals', async function () {
      const pages = await walk('/devices?limit=7');
      assert.equal(pages.length, 5);
      assert.equal(pages[0].prev, null);
      assert.equal(pages[4].next, null);
      const items = pages.flatMap((page) => page.items);
      assert.equal(items.length, 30);
      assert.equal(new Set(items.map((item) => item.id)).size, 30);
      for (const item of items) {
        assert.equal(item.clientId, sim.ownClientId);
        for (const field of [
          'id',
          'name',
          'description',
          'deviceSpecificationId',
          'createdAt',
          'modifiedAt',
        ]) {
          assert.equal(typeof item[field], 'string', field);
        }
        assert.deepEqual(item.metadata, {});
      }
      const next = new URL(String(pages[0].next));
      assert.equal(next.origin, sim.apiUrl);
      assert.equal(next.pathname, '/devices');
      assert.equal(next.searchParams.get('limit'), '7');
      // The prev link of page 2 leads back to page 1.
      const back = await fetch(String(pages[1].prev), { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual((await readJson<Page>(back)).items, pages[0].items);
    });

    it('sorts, searches and filters by date across pages', async function () {
      const sorted = (await walk('/devices?limit=4&sort=-name')).flatMap((page) =>
        page.items.map((i) => String(i.name)),
      );
      assert.equal(sorted.length, 30);
      assert.deepEqual(sorted, [...sorted].sort().reverse());

      const byCreated = (await walk('/devices?limit=50&sort=createdAt')).flatMap((page) => page.items);
      const pivot = String(byCreated[10].createdAt);
      const since = (
        await walk(`/devices?limit=3&createdSince=${encodeURIComponent(pivot)}&sort=-createdAt,id`)
      ).flatMap((page) => page.items);
      assert.equal(since.length, 20);
      assert.ok(since.every((item) => String(item.createdAt) >= pivot));
      assert.equal(since[since.length - 1].createdAt, pivot);

      const matches = (await walk('/devices?limit=2&q=SENSOR')).flatMap((page) => page.items);
      assert.ok(matches.length > 0);
      assert.ok(
        matches.every((item) =>
          `${String(item.name)} ${String(item.description)}`.toLowerCase().includes('sensor'),
        ),
      );
      const query = new URL(String((await walk('/devices?limit=1&q=sensor'))[0].next));
      assert.equal(query.searchParams.get('q'), 'sensor');
    });

    it('filters by barcode and deviceSpecificationId', async function () {
      const all = (await walk('/devices?limit=100')).flatMap((page) => page.items);
      const device = all[3];
      const byBarcode = (await walk(`/devices?barcode=${String(device.barcode).slice(2, 11)}`)).flatMap(
        (p) => p.items,
      );
      assert.deepEqual(
        byBarcode.map((item) => item.id),
        [device.id],
      );
      const spec = String(device.deviceSpecificationId);
      const bySpec = (await walk(`/devices?deviceSpecificationId=${spec}`)).flatMap((p) => p.items);
      assert.equal(bySpec.length, all.filter((item) => item.deviceSpecificationId === spec).length);
    });

    it('refuses bad list parameters with 400 problem+json naming the field', async function () {
      const cases: [string, RegExp][] = [
        ['/devices?limit=0', /'limit' must be greater than zero/],
        ['/devices?limit=-1', /'limit' must be greater than zero/],
        ['/devices?limit=1.5', /'limit'/],
        ['/devices?limit=abc', /'limit'/],
        ['/devices?cursor=garbage!!', /'cursor'/],
        ['/devices?cursor=bm90LWpzb24', /'cursor'/],
        ['/devices?sort=colour', /'sort'.*colour/],
        ['/devices?createdBefore=yesterday', /'createdBefore'/],
        ['/devices?modifiedSince=2025-13-45T00:00:00Z', /'modifiedSince'/],
        ['/devices?clientId=not-a-uuid', /'clientId'/],
      ];
      for (const [path, detail] of cases) {
        const res = await api(path);
        assert.equal(res.status, 400, path);
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        const body = await readJson(res);
        assert.equal(body.title, 'Invalid request');
        assert.equal(body.status, 400);
        assert.equal(body.instance, path);
        assert.match(String(body.detail), detail, path);
      }
      const first = await readJson<Page>(await api('/devices?limit=2&sort=name'));
      const cursor = new URL(String(first.next)).searchParams.get('cursor');
      const reused = await api(`/devices?limit=2&sort=-name&cursor=${cursor}`);
      assert.equal(reused.status, 400);
      await reused.body?.cancel();
    });

    it('answers one device, 404 for unknown ones, and its LoRa network adapter', async function () {
      const page = await readJson<Page>(await api('/devices?limit=1'));
      const id = String(page.items[0].id);
      const one = await api(`/devices/${id}`);
      assert.equal(one.status, 200);
      assert.deepEqual(await readJson(one), page.items[0]);
      const missing = await api('/devices/00000000-0000-4000-8000-000000000000');
      assert.equal(missing.status, 404);
      assert.equal((await readJson(missing)).title, 'Not found');
      const adapters = await readJson<Page>(await api(`/devices/${id}/network-adapters`));
      assert.equal(adapters.items.length, 1);
      assert.equal(adapters.items[0].type, 'lora');
      assert.ok(sim.devEUIs().includes(String(adapters.items[0].devEUI)));
    });
  });

  describe('reseller context', function () {
    it('scopes data with KPN-Things-Security-Context and refuses bad values', async function () {
      const customer = sim.customers[1];
      const scoped = await api('/devices', { 'KPN-Things-Security-Context': `client:uuid:${customer.id}` });
      assert.equal(scoped.status, 200);
      const items = (await readJson<Page>(scoped)).items;
      assert.equal(items.length, 4);
      assert.ok(items.every((item) => item.clientId === customer.id));
      // Another client's device is not visible from the own scope.
      assert.equal((await api(`/devices/${String(items[0].id)}`)).status, 404);

      const malformed = await api('/devices', { 'KPN-Things-Security-Context': customer.id });
      assert.equal(malformed.status, 400);
      await malformed.body?.cancel();
      const stranger = await api('/devices', {
        'KPN-Things-Security-Context': 'client:uuid:11111111-2222-4333-8444-555555555555',
      });
      assert.equal(stranger.status, 403);
      assert.equal(stranger.headers.get('content-type'), 'application/problem+json');
      await stranger.body?.cancel();
      const both = await api('/devices', {
        'KPN-Things-Security-Context': `client:uuid:${customer.id}`,
        'x-client-id': customer.id,
      });
      assert.equal(both.status, 400);
      await both.body?.cancel();
    });

    it('supports the legacy context switch and x-client-id', async function () {
      const customer = sim.customers[2];
      const before = await api('/devices', { 'x-client-id': customer.id });
      assert.equal(before.status, 403);
      await before.body?.cancel();
      const switched = await api(`/api/v1/lifecycle/clients/${customer.id}/context-switch`);
      assert.equal(switched.status, 200);
      assert.deepEqual(await readJson(switched), {});
      const after = await api('/devices', { 'x-client-id': customer.id });
      assert.equal(after.status, 200);
      assert.ok((await readJson<Page>(after)).items.every((item) => item.clientId === customer.id));
      const stranger = await api(
        '/api/v1/lifecycle/clients/11111111-2222-4333-8444-555555555555/context-switch',
      );
      assert.equal(stranger.status, 403);
      await stranger.body?.cancel();
    });

    it('lists and reads clients', async function () {
      const list = await readJson<Page>(await api('/clients?limit=2'));
      assert.deepEqual(
        list.items.map((c) => c.name),
        [sim.customers[0].name, sim.customers[1].name],
      );
      assert.ok(list.next);
      const acme = await readJson<Page>(await api('/clients?q=acme'));
      assert.deepEqual(
        acme.items.map((c) => c.id),
        [sim.customers[0].id],
      );
      const own = await api(`/clients/${sim.ownClientId}`);
      assert.equal(own.status, 200);
      assert.equal((await readJson(own)).id, sim.ownClientId);
      const customer = await readJson(await api(`/clients/${sim.customers[1].id}`));
      assert.equal(customer.name, sim.customers[1].name);
      assert.equal(typeof customer.createdAt, 'string');
      assert.equal((await api('/clients/not-a-uuid')).status, 400);
      assert.equal((await api('/clients/11111111-2222-4333-8444-555555555555')).status, 404);
    });
  });

  describe('beta API', function () {
    it('requires the vendor Accept type and answers a Spring page', async function () {
      const wrong = await api('/api/devices', { accept: 'application/json' });
      assert.equal(wrong.status, 400);
      await wrong.body?.cancel();
      const res = await api('/api/devices?currentPage=1&pageSize=8&sortBy=name&sortOrder=DESC', {
        accept: DEVICE_TYPE,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), DEVICE_TYPE);
      const page = await readJson<Record<string, unknown> & { content: Record<string, unknown>[] }>(res);
      assert.equal(page.totalElements, 30);
      assert.equal(page.totalPages, 4);
      assert.equal(page.number, 1);
      assert.equal(page.size, 8);
      assert.equal(page.numberOfElements, 8);
      assert.equal(page.first, false);
      assert.equal(page.last, false);
      assert.ok(Array.isArray(page.sort));
      assert.deepEqual(Object.keys(page.content[0]).sort(), [
        'barcode',
        'description',
        'deviceSpecificationUUID',
        'metadata',
        'name',
        'uuid',
      ]);
      const names = page.content.map((d) => String(d.name));
      assert.deepEqual(names, [...names].sort().reverse());
      const last = await readJson(
        await api('/api/devices?currentPage=3&pageSize=8', { accept: DEVICE_TYPE }),
      );
      assert.equal(last.last, true);
      assert.equal(last.numberOfElements, 6);
    });

    it('searches names case-sensitively and validates paging', async function () {
      const upper = await readJson<{ content: { name: string }[] }>(
        await api('/api/devices?search=sensor&pageSize=100', { accept: DEVICE_TYPE }),
      );
      assert.ok(upper.content.length > 0);
      assert.ok(upper.content.every((d) => d.name.includes('sensor')));
      const none = await readJson<{ totalElements: number }>(
        await api('/api/devices?search=SENSOR', { accept: DEVICE_TYPE }),
      );
      assert.equal(none.totalElements, 0);
      for (const query of [
        'pageSize=0',
        'pageSize=0',
        'sortBy=name,uuid',
        'currentPage=-1',
        'sortBy=colour',
        'sortOrder=UP',
      ]) {
        const res = await api(`/api/devices?${query}`, { accept: DEVICE_TYPE });
        assert.equal(res.status, 400, query);
        await res.body?.cancel();
      }
    });
  });

  describe('downlinks', function () {
    const post = (query: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${sim.apiUrl}/api/actuator/downlinks${query}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${token}`,
          accept: ACTUATOR_TYPE,
          'content-type': 'application/json',
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const senml = (devEUI: string, vs: unknown): unknown[] => [
      { bn: `urn:dev:DEVEUI:${devEUI}:`, n: 'payloadHex', vs },
    ];

    it('validates strictly with 400 problem+json', async function () {
      const eui = sim.devEUIs()[0];
      const cases: [string, unknown, RegExp, Record<string, string>?][] = [
        ['?port=1', '{"bn":', /not valid JSON/],
        ['?port=1', { bn: 'x' }, /SenML array/],
        ['?port=1', [], /must not be empty/],
        ['?port=1', [{ n: 'temperature', v: 1 }], /payloadHex/],
        ['?port=1', [{ bn: 'urn:dev:IMEI:123:', n: 'payloadHex', vs: '01' }], /base name/],
        ['?port=1', [{ bn: `urn:dev:DEVEUI:${eui}`, n: 'payloadHex', vs: '01' }], /base name/],
        ['?port=1', senml(eui, '012'), /even/],
        ['?port=1', senml(eui, 'zz'), /hex/],
        ['?port=1', senml(eui, ''), /non-empty/],
        ['?port=1', senml(eui, 1), /'vs'/],
        ['', senml(eui, '01'), /'port'/],
        ['?port=0', senml(eui, '01'), /'port'/],
        ['?port=224', senml(eui, '01'), /'port'/],
        ['?port=1', senml(eui, '01'), /Accept/, { accept: 'application/json' }],
      ];
      for (const [query, body, detail, headers] of cases) {
        const res = await post(query, body, headers);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        assert.match(String((await readJson(res)).detail), detail, JSON.stringify(body));
      }
      const wrongType = await post('?port=1', senml(eui, '01'), { 'content-type': 'text/plain' });
      assert.equal(wrongType.status, 415);
      await wrongType.body?.cancel();
      const unknown = await post('?port=1', senml('0123456789ABCDEF', '01'));
      assert.equal(unknown.status, 404);
      await unknown.body?.cancel();
    });

    it('accepts a valid downlink (201) and lists it in GET /downlinks', async function () {
      const eui = sim.devEUIs()[1];
      const res = await post('?port=12&externalReference=ref-1', senml(eui.toLowerCase(), '01ab'));
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), ACTUATOR_TYPE);
      const created = await readJson(res);
      assert.equal(created.status, 'QUEUED');
      assert.equal(created.devEUI, eui);
      assert.equal(created.port, 12);
      assert.equal(created.payloadHex, '01AB');
      assert.equal(created.externalReference, 'ref-1');
      assert.match(String(created.id), /^[0-9a-f-]{36}$/);

      const listed = await readJson<Page>(
        await api(`/downlinks?q=${encodeURIComponent(`urn:dev:DEVEUI:${eui}:`)}`),
      );
      assert.equal(listed.items.length, 1);
      assert.equal(listed.items[0].id, created.id);
      assert.equal(listed.items[0].tagValue, `urn:dev:DEVEUI:${eui}:`);
      // A customer's scope does not see the own client's downlinks.
      const scoped = await readJson<Page>(
        await api('/downlinks', { 'KPN-Things-Security-Context': `client:uuid:${sim.customers[0].id}` }),
      );
      assert.equal(scoped.items.length, 0);
    });
  });

  describe('faults', function () {
    it('answers an injected status with Retry-After for `times` requests', async function () {
      sim.inject({ route: 'GET /devices', status: 503, retryAfter: '2', times: 1 });
      const failed = await api('/devices');
      assert.equal(failed.status, 503);
      assert.equal(failed.headers.get('retry-after'), '2');
      assert.equal(failed.headers.get('content-type'), 'application/problem+json');
      assert.equal((await readJson(failed)).status, 503);
      const ok = await api('/devices');
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
    });

    it('answers a custom body and content type', async function () {
      sim.inject({ route: '*', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' });
      const res = await api('/clients');
      assert.equal(res.status, 502);
      assert.equal(res.headers.get('content-type'), 'text/html');
      assert.equal(await res.text(), '<html>bad gateway</html>');
    });

    it('delays with latencyMs', async function () {
      sim.inject({ route: 'GET /devices/{id}', latencyMs: 120, times: 1 });
      const id = String((await readJson<Page>(await api('/devices?limit=1'))).items[0].id);
      const started = Date.now();
      const res = await api(`/devices/${id}`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
      assert.ok(Date.now() - started >= 100);
    });

    it('resets the connection and records status 0', async function () {
      sim.clearRequests();
      sim.inject({ route: 'GET /devices', reset: true, times: 1 });
      await assert.rejects(api('/devices'));
      assert.equal(sim.requestsFor('GET /devices')[0].status, 0);
    });

    it('answers malformed JSON with 200', async function () {
      sim.inject({ route: 'GET /devices', malformedJson: true });
      const res = await api('/devices');
      assert.equal(res.status, 200);
      await assert.rejects(res.json());
    });

    it('applies to the token route, honours rate 0 and clearFaults', async function () {
      sim.inject({ route: 'POST /token', status: 500, times: 1 });
      assert.equal((await postToken(sim, tokenBody(sim))).status, 500);
      assert.equal((await postToken(sim, tokenBody(sim))).status, 200);
      sim.inject({ route: 'POST /token', status: 500, rate: 0 });
      assert.equal((await postToken(sim, tokenBody(sim))).status, 200);
      sim.inject({ route: 'POST /token', status: 429 });
      assert.equal((await postToken(sim, tokenBody(sim))).status, 429);
      sim.clearFaults();
      assert.equal((await postToken(sim, tokenBody(sim))).status, 200);
    });
  });

  describe('recording and limits', function () {
    it('records requests with secrets redacted', async function () {
      sim.clearRequests();
      await getToken(sim);
      const res = await api('/devices?limit=3&sort=name');
      await res.body?.cancel();
      assert.equal(sim.requests.length, 2);
      const [tokenRequest] = sim.requestsFor('POST /token');
      assert.equal(tokenRequest.server, 'grip');
      assert.equal(tokenRequest.status, 200);
      assert.equal(tokenRequest.method, 'POST');
      assert.deepEqual(tokenRequest.body, {
        grant_type: 'client_credentials',
        audience: sim.credentials.applicationId,
        client_id: sim.credentials.clientId,
        client_secret: '[redacted]',
      });
      assert.ok(!JSON.stringify(sim.requests).includes(sim.credentials.clientSecret));
      const [list] = sim.requestsFor('GET /devices');
      assert.equal(list.server, 'api');
      assert.equal(list.headers.authorization, '[redacted]');
      assert.deepEqual(list.query, { limit: '3', sort: 'name' });
      assert.equal(list.path, '/devices');
      assert.equal(list.status, 200);
      assert.ok(!JSON.stringify(sim.requests).includes(token));
      sim.clearRequests();
      assert.equal(sim.requests.length, 0);
    });

    it('answers 404 problem+json to unknown routes and 413 to bodies over 1 MiB', async function () {
      const missing = await api('/nothing-here');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json');
      await missing.body?.cancel();
      const big = await fetch(`${sim.apiUrl}/api/actuator/downlinks?port=1`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: ACTUATOR_TYPE,
          'content-type': 'application/json',
        },
        body: 'x'.repeat(1024 * 1024 + 1),
      });
      assert.equal(big.status, 413);
      await big.body?.cancel();
    });

    it('closes promptly with keep-alive sockets open', async function () {
      const other = await startSimulator({ deviceCount: 1, customerCount: 0 });
      const agent = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${other.apiUrl}/devices`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          })
          .on('error', reject);
      });
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 1000);
      agent.destroy();
    });
  });

  describe('scale', function () {
    it('pages 100 000 devices in pages of 1000', async function () {
      this.timeout(60_000);
      const big = await startSimulator({ deviceCount: 100_000, customerCount: 0 });
      try {
        const bigToken = await getToken(big);
        let url: string | null | undefined = `${big.apiUrl}/devices?limit=1000`;
        let count = 0;
        let pages = 0;
        while (url) {
          const res: Response = await fetch(url, { headers: { authorization: `Bearer ${bigToken}` } });
          assert.equal(res.status, 200);
          const page = await readJson<Page>(res);
          count += page.items.length;
          pages++;
          url = page.next;
        }
        assert.equal(count, 100_000);
        assert.equal(pages, 100);
      } finally {
        await big.close();
      }
    });
  });
});
