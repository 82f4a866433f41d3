/**
 * The kpn-things-downlinks and kpn-things-request nodes against the simulator (node-red-node-test-helper),
 * and the config node's custom CA against a TLS front with the test certificate (test/fixtures/tls).
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import type { Node } from 'node-red';
import type { Simulator } from '../lib/simulator/types';
import { MEDIA_TYPES } from '../lib/endpoints';
import { prepareDownlink, sendDownlink } from '../lib/resources/downlinks';
import { customCa } from '../nodes/kpn-things-config/options';
import { clientFor, credentialsFor, nodeTestFlow, withSimulator } from './support/sim';
import { allNodes, coreNode, helper, inputs, nextInput } from './support/nodered';
import { startTlsFront, TEST_CERT_FILE, type TlsFront } from './support/tls-front';

const catchNode = coreNode('common/25-catch');
const joinNode = coreNode('sequence/17-split');

type Msg = Record<string, unknown> & { payload?: unknown; problem?: Record<string, unknown> };

async function load(
  sim: Simulator,
  node: Record<string, unknown>,
  config: Record<string, unknown> = {},
  credentials: Record<string, unknown> = credentialsFor(sim),
): Promise<Node> {
  await helper.load(
    [...allNodes, catchNode, joinNode],
    nodeTestFlow(sim, node, config, { join: true }),
    credentials,
  );
  return get('n1');
}

function get(id: string): Node {
  const node = helper.getNode(id);
  assert.ok(node, `node ${id}`);
  return node;
}

/** Sends one message to n1 and waits for what reaches `target` ('out' or 'caught'). */
async function run(msg: Record<string, unknown>, target = 'out'): Promise<Msg> {
  const reached = nextInput(get(target));
  get('n1').receive(msg);
  return (await reached) as Msg;
}

const spyOf = (node: Node, method: 'status' | 'warn' | 'error') =>
  (node as unknown as Record<string, { lastCall: { args: unknown[] }; resetHistory(): void }>)[method];

describe('kpn-things-downlinks and kpn-things-request nodes', function () {
  let sim: Simulator;
  let euis: string[];
  let ids: string[];

  beforeEach(async () => {
    sim = await withSimulator({ deviceCount: 5, customerCount: 1, devicesPerCustomer: 2 });
    euis = sim.devEUIs();
    ids = [];
    const client = clientFor(sim);
    try {
      for (const [i, eui] of [euis[0], euis[1], euis[0]].entries()) {
        const res = await sendDownlink(
          client,
          prepareDownlink({ devEUI: eui, payload: `0${i}AB`, port: i + 1, externalReference: `ref-${i}` }),
        );
        ids.push(String((res.body as { id: string }).id));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await client.close();
    }
    sim.clearRequests();
  });
  afterEach(async () => {
    await helper.unload();
    await sim.close();
  });

  describe('kpn-things-downlinks', () => {
    it('the Getting Started example: every page, newest first, items untouched', async () => {
      await load(sim, {
        type: 'kpn-things-downlinks',
        modifiedSince: '2025-09-01T00:00:00Z',
        modifiedSinceType: 'str',
        sort: '-modifiedAt',
        sortType: 'str',
        limit: '1',
        limitType: 'num',
      });
      const msg = await run({ topic: 'keep' });
      const items = msg.payload as Record<string, unknown>[];
      assert.deepEqual(
        items.map((d) => d.id),
        [...ids].reverse(),
      );
      assert.equal(items[2].tagValue, `urn:dev:DEVEUI:${euis[0]}:`);
      assert.equal(items[2].externalReference, 'ref-0');
      assert.equal(msg.topic, 'keep');
      assert.equal(msg.statusCode, 200);
      assert.equal(msg.truncated, false);
      const sent = sim.requestsFor('GET /downlinks');
      assert.equal(sent.length, 3);
      assert.deepEqual(sent[0].query, {
        modifiedSince: '2025-09-01T00:00:00.000Z',
        limit: '1',
        sort: '-modifiedAt',
      });
    });

    it('msg.query overrides the node and passes unknown filters on; q finds one device', async () => {
      await load(sim, { type: 'kpn-things-downlinks', limit: '50', limitType: 'num' });
      const msg = await run({
        query: { q: `urn:dev:DEVEUI:${euis[0]}:`, limit: 2, projectId: 'p-1' },
      });
      assert.deepEqual(
        (msg.payload as { id: string }[]).map((d) => d.id),
        [ids[0], ids[2]],
      );
      const first = sim.requestsFor('GET /downlinks')[0];
      assert.equal(first.query.limit, '2');
      assert.equal(first.query.projectId, 'p-1');
    });

    it('split mode streams one message per downlink that a Join node reassembles', async () => {
      await load(sim, { type: 'kpn-things-downlinks', output: 'split', limit: '2', limitType: 'num' });
      const parts = inputs(get('out'), 3);
      const joined = nextInput(get('joined'));
      get('n1').receive({});
      const msgs = await parts;
      assert.equal((msgs[2].parts as { count: number }).count, 3);
      assert.equal(((await joined).payload as unknown[]).length, 3);
    });

    it('page mode: msg.next, and msg.cursor fetches the next page', async () => {
      await load(sim, { type: 'kpn-things-downlinks', output: 'page', limit: '2', limitType: 'num' });
      const first = await run({});
      assert.equal((first.payload as unknown[]).length, 2);
      assert.equal(typeof first.next, 'string');
      const second = await run({ cursor: first.next });
      assert.deepEqual(
        (second.payload as { id: string }[]).map((d) => d.id),
        [ids[2]],
      );
      assert.equal(second.next, null);
    });

    it('since the last run: the second run asks for what changed since the first began', async () => {
      await load(sim, { type: 'kpn-things-downlinks', sinceLastRun: true });
      const before = new Date().toISOString();
      const first = await run({});
      assert.equal((first.payload as unknown[]).length, 3);
      assert.equal(first.modifiedSince, null);
      assert.equal(sim.requestsFor('GET /downlinks')[0].query.modifiedSince, undefined);
      const second = await run({});
      const since = String(second.modifiedSince);
      assert.ok(since >= before && since <= new Date().toISOString(), since);
      assert.equal(sim.requestsFor('GET /downlinks')[1].query.modifiedSince, new Date(since).toISOString());
      assert.deepEqual(second.payload, []);
      // An explicit modifiedSince wins.
      const third = await run({ query: { modifiedSince: '2025-01-01T00:00:00Z' } });
      assert.equal((third.payload as unknown[]).length, 3);
    });

    it('acts for msg.customerId (reseller context header)', async () => {
      await load(sim, { type: 'kpn-things-downlinks' });
      const customer = sim.customers[0].id;
      await run({ customerId: customer });
      assert.equal(
        sim.requestsFor('GET /downlinks')[0].headers['kpn-things-security-context'],
        `client:uuid:${customer}`,
      );
    });

    it('an API problem reaches Catch; bad input names the field and sends nothing', async () => {
      await load(sim, { type: 'kpn-things-downlinks' });
      sim.inject({ route: 'GET /downlinks', status: 403, times: 1 });
      const forbidden = await run({}, 'caught');
      assert.equal(forbidden.statusCode, 403);
      assert.equal(forbidden.problem?.status, 403);
      sim.clearRequests();
      const bad = await run({ query: { modifiedSince: 'yesterday' } }, 'caught');
      assert.equal(bad.problem?.field, 'modifiedSince');
      assert.equal(bad.problem?.hintCode, 'input.invalid_datetime');
      assert.equal(sim.requests.length, 0);
    });

    it('a wrong literal setting is reported once at start, and no request is made', async () => {
      const n1 = await load(sim, { type: 'kpn-things-downlinks', sort: '-a,,b', sortType: 'str' });
      const caught = await run({}, 'caught');
      assert.equal(caught.problem?.field, 'sort');
      assert.equal(sim.requests.length, 0);
      assert.equal((spyOf(n1, 'status').lastCall.args[0] as { fill: string }).fill, 'red');
    });
  });

  describe('kpn-things-request', () => {
    it('GET with {{msg.x}} parts: the resource, its status and headers', async () => {
      await load(sim, {
        type: 'kpn-things-request',
        method: 'GET',
        path: '/projects/{{msg.projectId}}',
        pathType: 'str',
      });
      const [projectId] = sim.projectIds();
      const msg = await run({ projectId });
      assert.equal((msg.payload as { id: string }).id, projectId);
      assert.equal(msg.statusCode, 200);
      assert.match(String((msg.headers as Record<string, string>)['content-type']), /json/);
      assert.equal(sim.requestsFor('GET /projects/{id}')[0].headers.accept, MEDIA_TYPES.jsonOrProblem);
      const status = spyOf(get('n1'), 'status').lastCall.args[0] as { fill: string; text: string };
      assert.equal(status.fill, 'green');
      assert.equal(status.text, 'kpn-things-request.status.response');
    });

    it('follows cursor pages with the node query and msg.query; split and page modes', async () => {
      await load(sim, {
        type: 'kpn-things-request',
        path: '/devices',
        query: '{"limit": 2, "sort": "-name"}',
        queryType: 'json',
      });
      const all = await run({ query: { sort: 'name' } });
      const names = (all.payload as { name: string }[]).map((d) => d.name);
      assert.equal(names.length, 5);
      assert.deepEqual(names, [...names].sort());
      assert.equal(sim.requestsFor('GET /devices').length, 3);
      assert.equal(sim.requestsFor('GET /devices')[0].query.limit, '2');
      await helper.unload();

      await load(sim, { type: 'kpn-things-request', path: '/devices?limit=2', output: 'page' });
      const first = await run({});
      assert.equal((first.payload as unknown[]).length, 2);
      const second = await run({ cursor: first.next });
      assert.notDeepEqual(second.payload, first.payload);
      await helper.unload();

      await load(sim, { type: 'kpn-things-request', path: '/devices?limit=2', output: 'split' });
      const parts = inputs(get('out'), 5);
      const joined = nextInput(get('joined'));
      get('n1').receive({});
      await parts;
      assert.equal(((await joined).payload as unknown[]).length, 5);
    });

    it('walks the beta API by page numbers with its own Accept', async () => {
      await load(sim, { type: 'kpn-things-request', path: '/api/devices', query: '{"pageSize": 2}' });
      const msg = await run({});
      assert.equal((msg.payload as unknown[]).length, 5);
      const sent = sim.requestsFor('GET /api/devices');
      assert.deepEqual(
        sent.map((r) => r.query.currentPage),
        [undefined, '1', '2'],
      );
      assert.ok(sent.every((r) => r.headers.accept === MEDIA_TYPES.betaDevice));
    });

    it('follow pages off: the answer as it came', async () => {
      await load(sim, { type: 'kpn-things-request', path: '/devices', paginate: false });
      const msg = await run({ query: { limit: 2 } });
      const body = msg.payload as { items: unknown[]; next: string };
      assert.equal(body.items.length, 2);
      assert.equal(typeof body.next, 'string');
      assert.equal(sim.requestsFor('GET /devices').length, 1);
    });

    it('method and path from the message when the node leaves them open', async () => {
      await load(sim, { type: 'kpn-things-request', method: 'msg', path: '' });
      const msg = await run({ method: 'get', path: '/device-groups', query: { limit: 100 } });
      assert.ok(Array.isArray(msg.payload));
      assert.equal(sim.requestsFor('GET /device-groups').length, 1);
    });

    it('POSTs msg.payload as JSON and never repeats a POST the server may have acted on', async () => {
      await load(sim, {
        type: 'kpn-things-request',
        method: 'POST',
        path: '/api/actuator/downlinks',
        query: '{"port": 7}',
      });
      const records = [{ bn: `urn:dev:DEVEUI:${euis[1]}:`, n: 'payloadHex', vs: '0A0B' }];
      const ok = await run({ payload: records, query: { externalReference: 'generic' } });
      assert.equal(ok.statusCode, 201);
      const sent = sim.requestsFor('POST /api/actuator/downlinks')[0];
      assert.deepEqual(sent.body, records);
      assert.equal(sent.query.port, '7');
      assert.equal(sent.headers.accept, MEDIA_TYPES.betaActuator);
      sim.clearRequests();
      sim.inject({ route: 'POST /api/actuator/downlinks', status: 502, times: 1 });
      const failed = await run({ payload: records }, 'caught');
      assert.equal(failed.statusCode, 502);
      assert.equal(sim.requestsFor('POST /api/actuator/downlinks').length, 1);
    });

    it('sends a body of any media type as its bytes', async () => {
      await load(sim, {
        type: 'kpn-things-request',
        method: 'PUT',
        path: '/decoders/{{msg.id}}',
        contentType: 'text/plain',
      });
      const caught = await run({ id: 'd 1', payload: 'function decode() {}' }, 'caught');
      assert.equal(caught.statusCode, 404);
      const sent = sim.requests.find((r) => r.method === 'PUT');
      assert.equal(sent?.path, '/decoders/d%201');
      assert.equal(sent?.headers['content-type'], 'text/plain');
      assert.equal(sent?.body, 'function decode() {}');
    });

    it('refuses a path off the API host before any request, naming the field', async () => {
      await load(sim, { type: 'kpn-things-request', path: '' });
      const msg = await run({ path: 'https://evil.example/devices' }, 'caught');
      assert.equal(msg.problem?.field, 'path');
      assert.equal(msg.problem?.hintCode, 'input.invalid_path');
      assert.equal(msg.problem?.status, 400);
      assert.equal(msg.statusCode, undefined);
      assert.equal(sim.requests.length, 0);
      await helper.unload();
      await load(sim, { type: 'kpn-things-request', method: 'msg', path: '/devices' });
      const method = await run({ method: 'HEAD' }, 'caught');
      assert.equal(method.problem?.field, 'method');
      assert.equal(sim.requests.length, 0);
    });

    it('a wrong literal path is a setting error at start', async () => {
      await load(sim, { type: 'kpn-things-request', path: '/devices/{{1+1}}' });
      const msg = await run({}, 'caught');
      assert.equal(msg.problem?.field, 'path');
      assert.equal(sim.requests.length, 0);
    });

    it('keeps the secret and the token out of the message', async () => {
      await load(sim, { type: 'kpn-things-request', path: '/devices', paginate: false });
      const msg = await run({});
      const text = JSON.stringify(msg);
      assert.ok(!text.includes(sim.credentials.clientSecret));
      assert.ok(!/Bearer/i.test(text));
    });
  });

  describe('kpn-things-config custom CA', () => {
    const cert = fs.readFileSync(TEST_CERT_FILE, 'utf8');
    let front: TlsFront;
    let httpsUrl: string;

    beforeEach(async () => {
      front = await startTlsFront(sim.apiUrl);
      httpsUrl = front.url;
    });
    afterEach(async () => {
      await helper.unload();
      await front.close();
    });

    it('reads PEM from the file and the pasted credential, and refuses what is not PEM', () => {
      assert.equal(customCa({}, {}), undefined);
      assert.match(String(customCa({ caFile: TEST_CERT_FILE }, {})), /^-----BEGIN CERTIFICATE-----/);
      assert.equal(customCa({ caFile: TEST_CERT_FILE }, { ca: cert }), `${cert.trim()}\n${cert.trim()}`);
      const refused = (field: string, problem: RegExp) => (err: unknown) => {
        const e = err as { field?: string; code?: string; message?: string };
        assert.equal(e.field, field);
        assert.equal(e.code, 'invalid_certificate');
        assert.match(e.message ?? '', problem);
        return true;
      };
      assert.throws(
        () => customCa({ caFile: '/nonexistent/ca.pem' }, {}),
        refused('caFile', /cannot be read \(ENOENT\)/),
      );
      assert.throws(
        () => customCa({}, { ca: 'not a certificate' }),
        refused('ca', /holds no PEM certificate/),
      );
      assert.equal(customCa({}, { ca: '${KPN_CA}' }), undefined, 'an unset ${VAR} counts as not set');
    });

    it('without the CA the self-signed API is refused (TLS verified); with it, by file or pasted, it is used', async () => {
      const node = { type: 'kpn-things-request', path: '/devices', paginate: false };
      await load(sim, node, { apiUrl: httpsUrl });
      const refused = await run({}, 'caught');
      assert.match(String(refused.problem?.detail), /certificate|self.signed/i);
      await helper.unload();

      await load(sim, node, { apiUrl: httpsUrl, caFile: TEST_CERT_FILE });
      assert.equal((await run({})).statusCode, 200);
      await helper.unload();

      const creds = { cfg: { ...credentialsFor(sim).cfg, ca: cert } };
      await load(sim, node, { apiUrl: httpsUrl }, creds);
      assert.equal((await run({})).statusCode, 200);
    });
  });
});
