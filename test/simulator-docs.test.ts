/**
 * The simulator follows KPN's documentation (shared/seeds/), so client tests can tell when the
 * client departs from it: no invented limit cap, open filters, lenient Accept, documented nulls,
 * the downlinks list, the extra read endpoints and GRIP's errors under any status.
 */
import { strict as assert } from 'node:assert';
import { startSimulator, type Simulator } from '../lib/simulator';
import { parseArgs } from '../lib/simulator/cli';
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

describe('KPN Things simulator follows the documentation', function () {
  let sim: Simulator;
  let token: string;
  const api = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sim.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      redirect: 'manual',
    });
  const page = async (path: string, headers: Record<string, string> = {}): Promise<Page> => {
    const res = await api(path, headers);
    assert.equal(res.status, 200, path);
    return readJson<Page>(res);
  };
  async function walk(first: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let url: string | null | undefined = `${sim.apiUrl}${first}`;
    while (url) {
      const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, url);
      const body: Page = await readJson<Page>(res);
      out.push(...body.items);
      url = body.next;
    }
    return out;
  }
  const postDownlink = (eui: string, hex: string, query = '?port=1'): Promise<Response> =>
    fetch(`${sim.apiUrl}/api/actuator/downlinks${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: ACTUATOR_TYPE,
        'content-type': 'application/json',
      },
      body: JSON.stringify([{ bn: `urn:dev:DEVEUI:${eui}:`, n: 'payloadHex', vs: hex }]),
    });

  before(async function () {
    sim = await startSimulator({ deviceCount: 12, customerCount: 2, devicesPerCustomer: 3 });
    token = await getToken(sim);
  });
  after(async function () {
    await sim.close();
  });

  describe('limits', function () {
    it('serves any positive limit and pageSize by default (no invented maximum)', async function () {
      const big = await page('/devices?limit=1000000');
      assert.equal(big.items.length, 12);
      assert.equal(big.next, null);
      const huge = await page('/devices?limit=99999999999999999999');
      assert.equal(huge.items.length, 12);
      const beta = await readJson<{ size: number; content: unknown[] }>(
        await api('/api/devices?pageSize=5000', { accept: DEVICE_TYPE }),
      );
      assert.equal(beta.size, 5000);
      assert.equal(beta.content.length, 12);
    });

    it('refuses limits above maxLimit once one is set, naming the field', async function () {
      sim.setMaxLimit(10);
      try {
        const res = await api('/devices?limit=11');
        assert.equal(res.status, 400);
        assert.match(String((await readJson(res)).detail), /'limit' must not be greater than 10/);
        assert.equal((await page('/devices?limit=10')).items.length, 10);
        const beta = await api('/api/devices?pageSize=11', { accept: DEVICE_TYPE });
        assert.equal(beta.status, 400);
        assert.match(String((await readJson(beta)).detail), /'pageSize'.*1 to 10/);
      } finally {
        sim.setMaxLimit(undefined);
      }
      assert.throws(() => sim.setMaxLimit(0), /maxLimit/);
    });
  });

  describe('open filters and headers', function () {
    it('ignores query parameters a list does not know, and keeps them in the next link', async function () {
      const first = await page('/devices?limit=5&colour=blue&projectId=not-even-a-uuid');
      assert.equal(first.items.length, 5);
      const next = new URL(String(first.next));
      assert.equal(next.searchParams.get('colour'), 'blue');
      const rest = await walk(`/devices?limit=5&colour=blue`);
      assert.equal(rest.length, 12);
    });

    it('answers 406 only when Accept admits neither JSON nor problem+json', async function () {
      for (const accept of [
        'application/json',
        'application/problem+json',
        'application/json, application/problem+json',
        '*/*',
        'application/*',
        'text/html, application/json;q=0.5',
      ]) {
        const res = await api('/devices?limit=1', { accept });
        assert.equal(res.status, 200, accept);
        await res.body?.cancel();
      }
      const res = await api('/devices', { accept: 'text/csv' });
      assert.equal(res.status, 406);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.match(String((await readJson(res)).detail), /application\/json/);
    });

    it('takes the legacy context switch with the documented JSON headers', async function () {
      const customer = sim.customers[0].id;
      const res = await api(`/api/v1/lifecycle/clients/${customer}/context-switch`, {
        'content-type': 'application/json',
        accept: 'application/json',
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /application\/json/);
      await res.body?.cancel();
      const scoped = await page('/devices', { 'x-client-id': customer });
      assert.equal(scoped.items.length, 3);
    });
  });

  describe('device shapes', function () {
    it('serves beta devices with the documented nulls, in name order when unsorted', async function () {
      const body = await readJson<{
        content: Record<string, unknown>[];
        sort: Record<string, unknown>[];
      }>(await api('/api/devices?pageSize=100', { accept: DEVICE_TYPE }));
      assert.equal(body.content.length, 12);
      const names = body.content.map((d) => String(d.name));
      assert.deepEqual(names, [...names].sort());
      assert.ok(body.content.every((d) => d.metadata === null));
      assert.ok(
        body.content.some((d) => d.barcode === null),
        'some devices have no barcode',
      );
      assert.ok(body.content.some((d) => typeof d.barcode === 'string'));
      assert.equal(body.sort[0].property, 'name');
      assert.equal(body.sort[0].direction, 'ASC');
    });

    it('refuses a beta sort with more than one key, saying so', async function () {
      const res = await api('/api/devices?sortBy=name,uuid', { accept: DEVICE_TYPE });
      assert.equal(res.status, 400);
      assert.match(String((await readJson(res)).detail), /one property/);
    });

    it('serves current-API devices with uuid (the documented shape) when so set', async function () {
      const [withId] = (await page('/devices?limit=1')).items;
      sim.setDeviceIdField('uuid');
      try {
        const [withUuid] = (await page('/devices?limit=1')).items;
        assert.equal(withUuid.uuid, withId.id);
        assert.equal('id' in withUuid, false);
        const one = await readJson(await api(`/devices/${String(withId.id)}`));
        assert.equal(one.uuid, withId.id);
        sim.setDeviceIdField('both');
        const [both] = (await page('/devices?limit=1')).items;
        assert.equal(both.uuid, both.id);
      } finally {
        sim.setDeviceIdField('id');
      }
    });
  });

  describe('GET /downlinks', function () {
    let euis: string[];
    const created: Record<string, unknown>[] = [];

    before(async function () {
      euis = sim.devEUIs();
      for (const [i, eui] of [euis[0], euis[1], euis[0]].entries()) {
        const res = await postDownlink(eui, `0${i}AB`, `?port=${i + 1}&externalReference=ref-${i}`);
        assert.equal(res.status, 201);
        created.push(await readJson(res));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });

    it('lists POSTed downlinks with tagValue ending in ":" and the documented list parameters', async function () {
      const all = await walk('/downlinks?limit=1');
      assert.deepEqual(
        all.map((d) => d.id),
        created.map((d) => d.id),
      );
      for (const item of all) {
        assert.match(String(item.tagValue), /^urn:dev:DEVEUI:[0-9A-F]{16}:$/);
        for (const field of ['id', 'clientId', 'deviceId', 'networkId', 'message', 'createdAt', 'modifiedAt'])
          assert.equal(typeof item[field], 'string', field);
      }
      assert.equal(all[0].externalReference, 'ref-0');
      // The Getting Started example.
      const recent = await page('/downlinks?modifiedSince=2025-09-01T00:00:00Z&limit=100&sort=-modifiedAt');
      assert.deepEqual(
        recent.items.map((d) => d.id),
        created.map((d) => d.id).reverse(),
      );
      const future = await page('/downlinks?createdSince=2999-01-01T00:00:00Z');
      assert.equal(future.items.length, 0);
      const before = await page(
        `/downlinks?createdBefore=${encodeURIComponent(String(created[1].createdAt))}`,
      );
      assert.deepEqual(
        before.items.map((d) => d.id),
        [created[0].id],
      );
    });

    it('matches q on tagValue exactly and on networkId and message partially, case-sensitively', async function () {
      const q = (text: string): Promise<Page> => page(`/downlinks?q=${encodeURIComponent(text)}`);
      assert.equal((await q(`urn:dev:DEVEUI:${euis[0]}:`)).items.length, 2);
      assert.equal((await q(`urn:dev:DEVEUI:${euis[0]}`)).items.length, 0, 'tagValue is matched exactly');
      assert.equal((await q(euis[1].slice(4, 12))).items.length, 1, 'networkId partially');
      assert.equal((await q(euis[1].slice(4, 12).toLowerCase())).items.length, 0, 'case-sensitive');
      assert.equal((await q('1AB')).items.length, 1, 'message partially');
    });

    it('invalidates cached list queries when a downlink is added', async function () {
      const before = (await page('/downlinks?sort=-createdAt')).items.length;
      const res = await postDownlink(euis[2], 'FF');
      assert.equal(res.status, 201);
      await res.body?.cancel();
      assert.equal((await page('/downlinks?sort=-createdAt')).items.length, before + 1);
    });
  });

  describe('more read endpoints', function () {
    it('lists projects and reads one; 404 for another client’s', async function () {
      const projects = await walk('/projects?limit=1');
      assert.deepEqual(
        projects.map((p) => p.id),
        sim.projectIds(),
      );
      for (const project of projects) {
        assert.equal(project.clientId, sim.ownClientId);
        assert.equal(typeof project.name, 'string');
        assert.equal(typeof (project.definition as { type?: unknown }).type, 'string');
        assert.match(String(project.createdBy), /^principal\/[0-9a-f-]{36}$/);
      }
      const one = await readJson(await api(`/projects/${sim.projectIds()[1]}`));
      assert.equal(one.id, sim.projectIds()[1]);
      const foreign = await api(`/projects/${sim.projectIds()[0]}`, {
        'KPN-Things-Security-Context': `client:uuid:${sim.customers[0].id}`,
      });
      assert.equal(foreign.status, 404);
      await foreign.body?.cancel();
      const searched = await page('/projects?q=FARMING');
      assert.equal(searched.items.length, 1);
    });

    it('lists device groups, filtered by projectId', async function () {
      const groups = await walk('/device-groups');
      assert.equal(groups.length, 3);
      const [first] = sim.projectIds();
      const inFirst = await page(`/device-groups?projectId=${first}`);
      assert.ok(inFirst.items.length > 0);
      assert.ok(inFirst.items.every((g) => g.projectId === first));
      assert.equal((await api('/device-groups?projectId=nope')).status, 400);
    });

    it('lists LoRa bindings with each device’s DevEUI, filtered by deviceId', async function () {
      const bindings = await walk('/lora/bindings?limit=5');
      assert.equal(bindings.length, 12);
      assert.deepEqual(
        bindings.map((b) => b.devEUI),
        sim.devEUIs(),
      );
      const deviceId = String(bindings[4].deviceId);
      const one = await page(`/lora/bindings?deviceId=${deviceId}`);
      assert.deepEqual(
        one.items.map((b) => b.devEUI),
        [bindings[4].devEUI],
      );
      const device = await readJson(await api(`/devices/${deviceId}`));
      assert.equal(device.id, deviceId);
    });
  });

  describe('GRIP', function () {
    it('answers its three documented texts with any status chosen, 2xx included', async function () {
      const other = await startSimulator({
        deviceCount: 0,
        customerCount: 0,
        gripErrorStatus: { user: 400, tenant: 200 },
      });
      try {
        const user = await postToken(other, tokenBody(other, { client_secret: 'wrong' }));
        assert.equal(user.status, 400);
        assert.equal((await readJson(user)).message, 'Feature user does not exist anymore.');
        const tenant = await postToken(other, tokenBody(other), tokenUrl(other, 'elsewhere'));
        assert.equal(tenant.status, 200);
        assert.equal((await readJson(tenant)).message, 'SAML request error: "idpId" not found.');
        other.setGripErrorStatus('service', 500);
        const noService = await startSimulator({ keyWithoutThingsService: true, deviceCount: 0 });
        try {
          noService.setGripErrorStatus('service', 401);
          const res = await postToken(noService, tokenBody(noService));
          assert.equal(res.status, 401);
          assert.equal((await readJson(res)).message, 'Feature service does not exist anymore.');
        } finally {
          await noService.close();
        }
        assert.throws(() => other.setGripErrorStatus('service', 99), /200 to 599/);
        assert.equal(other.tokensIssued, 0);
      } finally {
        await other.close();
      }
    });

    it('answers 200 without a token when so set', async function () {
      sim.setGripAnswersWithoutToken(true);
      try {
        const res = await postToken(sim, tokenBody(sim));
        assert.equal(res.status, 200);
        const body = await readJson(res);
        assert.equal(body.access_token, undefined);
        assert.equal(body.accessToken, undefined);
      } finally {
        sim.setGripAnswersWithoutToken(false);
      }
    });
  });

  describe('command line', function () {
    it('takes --bad-token-status and --max-limit', function () {
      assert.deepEqual(parseArgs(['--bad-token-status', '401', '--max-limit=500']), {
        badTokenStatus: 401,
        maxLimit: 500,
      });
      assert.throws(() => parseArgs(['--bad-token-status', '403']), /302 or 401/);
      assert.throws(() => parseArgs(['--max-limit', '0']), /positive/);
    });
  });
});
