import { strict as assert } from 'node:assert';
import type { Simulator } from '../lib/simulator/types';
import { configNodeFor, credentialsFor, withSimulator } from './support/sim';
import { allNodes, helper } from './support/nodered';

type Json = Record<string, unknown>;

const CONFIG_ID = 'cfg1';

function configFor(sim: Simulator, extra: Json = {}): Json {
  return configNodeFor(sim, { id: CONFIG_ID, ...extra });
}

function credsFor(sim: Simulator, secret = sim.credentials.clientSecret): Json {
  return credentialsFor(sim, CONFIG_ID, secret);
}

/** What the config dialog posts: the form values (as the editor sends them). */
function formFor(sim: Simulator, extra: Json = {}): Json {
  return {
    tenantId: sim.credentials.tenantId,
    apiUrl: sim.apiUrl,
    gripUrl: sim.gripUrl,
    tokenPath: '/v2/{tenantId}/oidc/idp/c1/token',
    applicationId: sim.credentials.applicationId,
    customerId: '',
    contextMode: 'header',
    timeout: '5',
    proxy: 'none',
    proxyUrl: '',
    ...extra,
  };
}

function startServer(): Promise<void> {
  return new Promise((resolve, reject) => helper.startServer((err) => (err ? reject(err) : resolve())));
}

function stopServer(): Promise<void> {
  return new Promise((resolve, reject) => helper.stopServer((err) => (err ? reject(err) : resolve())));
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Json; text: string }> {
  const res = await helper.request().post(path).send(body);
  return { status: res.status, body: res.body as Json, text: res.text };
}

async function get(path: string): Promise<{ status: number; body: unknown; text: string }> {
  const res = await helper.request().get(path);
  return { status: res.status, body: res.body, text: res.text };
}

describe('config node admin endpoints', function () {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await withSimulator({ deviceCount: 5, customerCount: 3 });
    await startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await stopServer();
    await sim.close();
  });

  /** A tab with the config node only (nothing uses it: the pickers must still work). */
  async function loadConfig(extra: Json = {}, secret?: string): Promise<void> {
    await helper.load(allNodes, [{ id: 'tab1', type: 'tab' }, configFor(sim, extra)], credsFor(sim, secret));
  }

  describe('POST /kpn-things/test-connection', () => {
    it('good credentials typed in the form: ok with the number of devices', async () => {
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true, devices: 5, more: false });
      assert.equal(sim.requestsFor('GET /devices').length, 1);
    });

    it('more than one page of devices: reports the first page and that more exist', async () => {
      await sim.close();
      sim = await withSimulator({ deviceCount: 130 });
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
      );
      assert.deepEqual(res.body, { ok: true, devices: 100, more: true });
    });

    it('wrong secret: ok:false with the GRIP hint, and the secret is nowhere in the answer', async () => {
      await loadConfig();
      const wrong = 'wrong-secret-d41d8cd98f00';
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { clientId: sim.credentials.clientId, clientSecret: wrong }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.status, 401);
      assert.equal(res.body.title, 'GRIP token request failed');
      // The test helper's RED._ answers the key: the hint is then its code (catalogue texts: problem.test).
      assert.equal(res.body.hint, 'grip.credentials-wrong');
      assert.ok(!res.text.includes(wrong), 'typed secret not echoed');
      assert.ok(!res.text.includes(sim.credentials.clientSecret), 'real secret not echoed');
      assert.ok(!/access_token|Bearer/i.test(res.text));
    });

    it('the "__PWRD__" placeholder uses the deployed node\'s stored credentials', async () => {
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { id: CONFIG_ID, clientId: sim.credentials.clientId, clientSecret: '__PWRD__' }),
      );
      assert.deepEqual(res.body, { ok: true, devices: 5, more: false });
      assert.ok(!res.text.includes(sim.credentials.clientSecret));
      const token = sim.requestsFor('POST /token').at(-1);
      assert.ok(token);
      assert.equal((token.body as Json).client_secret, '[redacted]', 'the simulator saw a secret');
    });

    it('stored credentials fill in a blank client id and a missing secret', async () => {
      await loadConfig();
      const res = await post('/kpn-things/test-connection', formFor(sim, { id: CONFIG_ID, clientId: '' }));
      assert.deepEqual(res.body, { ok: true, devices: 5, more: false });
    });

    it('a newly typed secret wins over the stored one', async () => {
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { id: CONFIG_ID, clientSecret: 'typed-but-wrong-1234' }),
      );
      assert.equal(res.body.ok, false);
      assert.equal(res.body.hint, 'grip.credentials-wrong');
    });

    it('no secret and no deployed node: says what is missing, without calling GRIP', async () => {
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { id: 'not-deployed', clientId: 'someone', clientSecret: '__PWRD__' }),
      );
      assert.equal(res.body.ok, false);
      assert.equal(res.body.title, 'Invalid input');
      assert.match(String(res.body.detail), /clientSecret is missing/);
      assert.equal(res.body.hint, 'connection.missing');
      assert.equal(sim.requestsFor('POST /token').length, 0);
    });

    it('${ENV} values in the form are resolved like Node-RED does', async () => {
      process.env.KPN_ADMIN_TEST_TENANT = sim.credentials.tenantId;
      process.env.KPN_ADMIN_TEST_SECRET = sim.credentials.clientSecret;
      try {
        await loadConfig();
        const res = await post(
          '/kpn-things/test-connection',
          formFor(sim, {
            tenantId: '${KPN_ADMIN_TEST_TENANT}',
            clientId: sim.credentials.clientId,
            clientSecret: '${KPN_ADMIN_TEST_SECRET}',
          }),
        );
        assert.deepEqual(res.body, { ok: true, devices: 5, more: false });
      } finally {
        delete process.env.KPN_ADMIN_TEST_TENANT;
        delete process.env.KPN_ADMIN_TEST_SECRET;
      }
    });

    it('an unreachable API: network problem with a hint, quickly', async () => {
      await loadConfig();
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, {
          apiUrl: 'http://127.0.0.1:9',
          clientId: sim.credentials.clientId,
          clientSecret: sim.credentials.clientSecret,
        }),
      );
      assert.equal(res.body.ok, false);
      assert.equal(res.body.title, 'Network error');
      assert.equal(res.body.hint, 'network');
    });

    it('an API that refuses the call (403) is reported with its status and a hint', async () => {
      await loadConfig();
      sim.inject({ route: 'GET /devices', status: 403 });
      const res = await post(
        '/kpn-things/test-connection',
        formFor(sim, { clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.status, 403);
      assert.equal(res.body.hint, 'api.forbidden');
    });
  });

  describe('GET /kpn-things/config/:id/devices', () => {
    it('lists the devices with their LoRa DevEUIs', async () => {
      await loadConfig();
      const res = await get(`/kpn-things/config/${CONFIG_ID}/devices`);
      assert.equal(res.status, 200);
      const devices = res.body as { id: string; name: string; devEUI: string }[];
      assert.equal(devices.length, 5);
      assert.deepEqual(devices.map((d) => d.devEUI).sort(), [...sim.devEUIs()].sort());
      for (const device of devices) {
        assert.match(device.id, /^[0-9a-f-]{36}$/);
        assert.equal(typeof device.name, 'string');
      }
      assert.equal(sim.requestsFor('GET /devices/{id}/network-adapters').length, 5);
      assert.ok(!res.text.includes(sim.credentials.clientSecret));
    });

    it('filters by q and caps the list at 50, with bounded adapter lookups', async () => {
      await sim.close();
      sim = await withSimulator({ deviceCount: 80 });
      await loadConfig();
      const all = await get(`/kpn-things/config/${CONFIG_ID}/devices`);
      assert.equal((all.body as unknown[]).length, 50);
      const name = (all.body as { name: string }[])[0].name;
      const some = await get(`/kpn-things/config/${CONFIG_ID}/devices?q=${encodeURIComponent(name)}`);
      const found = some.body as { name: string }[];
      assert.ok(found.length >= 1 && found.length < 50);
      assert.ok(found.every((d) => d.name.toLowerCase().includes(name.toLowerCase())));
      assert.equal(sim.requestsFor('GET /devices').at(-1)?.query.q, name);
    });

    it('an API failure answers 5xx JSON with title, detail and hint (never 401)', async () => {
      await loadConfig();
      sim.inject({ route: 'GET /devices', status: 401 });
      const res = await get(`/kpn-things/config/${CONFIG_ID}/devices`);
      assert.equal(res.status, 502);
      const body = res.body as Json;
      assert.equal(body.status, 401);
      assert.equal(typeof body.title, 'string');
      assert.equal(typeof body.detail, 'string');
      assert.equal(body.hint, 'api.unauthorized');
    });
  });

  describe('GET /kpn-things/config/:id/customers', () => {
    it('lists the customers the API key resells', async () => {
      await loadConfig();
      const res = await get(`/kpn-things/config/${CONFIG_ID}/customers`);
      assert.equal(res.status, 200);
      assert.deepEqual(
        (res.body as { id: string; name: string }[]).map((c) => c.id).sort(),
        sim.customers.map((c) => c.id).sort(),
      );
      const named = await get(
        `/kpn-things/config/${CONFIG_ID}/customers?q=${encodeURIComponent(sim.customers[1].name)}`,
      );
      assert.deepEqual(named.body, [{ id: sim.customers[1].id, name: sim.customers[1].name }]);
    });

    it('lists them also when the config node acts for one customer', async () => {
      await loadConfig({ customerId: sim.customers[0].id });
      const res = await get(`/kpn-things/config/${CONFIG_ID}/customers`);
      assert.equal((res.body as unknown[]).length, sim.customers.length);
    });
  });

  describe('unknown config node', () => {
    for (const what of ['devices', 'customers']) {
      it(`${what}: 404 with "deploy first"`, async () => {
        await loadConfig();
        const res = await get(`/kpn-things/config/nope/${what}`);
        assert.equal(res.status, 404);
        const body = res.body as Json;
        assert.equal(body.title, 'Config node not deployed');
        assert.equal(body.hint, 'connection.not-deployed');
      });
    }

    it('an id of another node type is not a config node', async () => {
      await helper.load(
        allNodes,
        [
          { id: 'tab1', type: 'tab' },
          configFor(sim),
          { id: 'dev1', z: 'tab1', type: 'kpn-things-devices', config: CONFIG_ID, wires: [] },
        ],
        credsFor(sim),
      );
      const res = await get('/kpn-things/config/dev1/devices');
      assert.equal(res.status, 404);
    });
  });
});
