import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import type { Node } from 'node-red';
import type { Simulator } from '../lib/simulator/types';
import { configNodeFor, credentialsFor, nodeTestFlow, withSimulator } from './support/sim';
import { allNodes, coreNode, helper, inputs, nextInput } from './support/nodered';

const catchNode = coreNode('common/25-catch');
const joinNode = coreNode('sequence/17-split');

type Msg = Record<string, unknown> & { payload?: unknown; problem?: Record<string, unknown> };

const configFor = configNodeFor;
const credsFor = (sim: Simulator): Record<string, unknown> => credentialsFor(sim);

const flow = nodeTestFlow;

async function load(
  sim: Simulator,
  node: Record<string, unknown>,
  configExtra: Record<string, unknown> = {},
): Promise<Node> {
  await helper.load([...allNodes, catchNode, joinNode], flow(sim, node, configExtra), credsFor(sim));
  const n1 = helper.getNode('n1');
  assert.ok(n1, 'node under test was created');
  return n1;
}

/** The test helper wraps status/warn/error/log of every node in a sinon spy already. */
function spyOf(node: Node, method: 'status' | 'warn' | 'error' | 'log', reset = true): sinon.SinonSpy {
  const spy = (node as unknown as Record<string, sinon.SinonSpy>)[method];
  if (reset) spy.resetHistory();
  return spy;
}

const get = (id: string): Node => {
  const node = helper.getNode(id);
  assert.ok(node, `node ${id}`);
  return node;
};

describe('Node-RED nodes', function () {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await withSimulator({ deviceCount: 5 });
  });
  afterEach(async () => {
    await helper.unload();
    await sim.close();
    sinon.restore();
  });

  describe('kpn-things-devices', () => {
    it('lists every device into msg.payload and keeps the message properties', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const out = nextInput(get('out'));
      n1.receive({ payload: 'go', topic: 'keep-me' });
      const msg = await out;
      assert.ok(Array.isArray(msg.payload));
      assert.equal((msg.payload as unknown[]).length, 5);
      assert.equal(msg.topic, 'keep-me');
      assert.equal(msg.statusCode, 200);
      assert.equal(msg.truncated, false);
    });

    it('sends the node query, overridden per message by msg.query', async () => {
      const n1 = await load(sim, {
        type: 'kpn-things-devices',
        search: 'sensor',
        searchType: 'str',
        limit: '2',
        limitType: 'num',
      });
      const out = nextInput(get('out'));
      n1.receive({ query: { limit: 3, sort: '-createdAt' } });
      await out;
      const first = sim.requestsFor('GET /devices')[0];
      assert.equal(first.query.q, 'sensor');
      assert.equal(first.query.limit, '3');
      assert.equal(first.query.sort, '-createdAt');
    });

    it('reads TypedInput properties from msg, flow and env', async () => {
      process.env.KPN_TEST_LIMIT = '4';
      const n1 = await load(sim, {
        type: 'kpn-things-devices',
        search: 'search',
        searchType: 'msg',
        limit: 'KPN_TEST_LIMIT',
        limitType: 'env',
      });
      const out = nextInput(get('out'));
      n1.receive({ search: 'Soil' });
      await out;
      const first = sim.requestsFor('GET /devices')[0];
      assert.equal(first.query.q, 'Soil');
      assert.equal(first.query.limit, '4');
    });

    it('acts for msg.customerId through the security-context header', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const out = nextInput(get('out'));
      const customer = sim.customers[0].id;
      n1.receive({ customerId: customer });
      const msg = await out;
      assert.equal(
        sim.requestsFor('GET /devices')[0].headers['kpn-things-security-context'],
        `client:uuid:${customer}`,
      );
      assert.ok((msg.payload as { clientId: string }[]).every((d) => d.clientId === customer));
    });

    it('split mode: one message per device with msg.parts that a Join node reassembles', async () => {
      await sim.close();
      sim = await withSimulator({ deviceCount: 25 });
      const nodes = flow(sim, { type: 'kpn-things-devices', output: 'split', limit: '10', limitType: 'num' });
      (nodes[1] as { wires: string[][] }).wires = [['out', 'joiner']];
      nodes.push(
        { id: 'joiner', z: 'tab', type: 'join', mode: 'auto', wires: [['joined']] },
        { id: 'joined', z: 'tab', type: 'helper' },
      );
      await helper.load([...allNodes, catchNode, joinNode], nodes, credsFor(sim));
      const parts = inputs(get('out'), 25);
      const joined = nextInput(get('joined'));
      get('n1').receive({ payload: 'go' });
      const msgs = await parts;
      assert.deepEqual(
        msgs.map((m) => (m.parts as { index: number }).index),
        Array.from({ length: 25 }, (_, i) => i),
      );
      assert.equal((msgs[24].parts as { count: number }).count, 25);
      assert.ok(msgs.every((m) => typeof (m.payload as { id: string }).id === 'string'));
      const whole = await joined;
      assert.equal((whole.payload as unknown[]).length, 25);
      assert.equal(sim.requestsFor('GET /devices').length, 3);
    });

    it('split mode asks pages of 100 unless the node or msg.query sets a size', async () => {
      // 100: SPLIT_PAGE_SIZE of nodes/shared/list-output (not imported: test:packed runs this file against the tarball).
      const SPLIT_PAGE_SIZE = 100;
      await sim.close();
      sim = await withSimulator({ deviceCount: 450 });
      const n1 = await load(sim, { type: 'kpn-things-devices', output: 'split' });
      let parts = inputs(get('out'), 450);
      n1.receive({});
      await parts;
      const asked = sim.requestsFor('GET /devices');
      assert.deepEqual(
        asked.map((r) => r.query.limit),
        Array(Math.ceil(450 / SPLIT_PAGE_SIZE)).fill(String(SPLIT_PAGE_SIZE)),
      );
      parts = inputs(get('out'), 450);
      n1.receive({ query: { limit: 300 } });
      await parts;
      assert.deepEqual(
        sim
          .requestsFor('GET /devices')
          .slice(asked.length)
          .map((r) => r.query.limit),
        ['300', '300'],
      );
    });

    it('page mode: one page with msg.next; msg.cursor fetches the next page', async () => {
      const n1 = await load(sim, {
        type: 'kpn-things-devices',
        output: 'page',
        limit: '2',
        limitType: 'num',
      });
      let out = nextInput(get('out'));
      n1.receive({});
      const first = await out;
      assert.equal((first.payload as unknown[]).length, 2);
      assert.equal(typeof first.next, 'string');
      out = nextInput(get('out'));
      n1.receive({ cursor: first.next });
      const second = await out;
      assert.equal((second.payload as unknown[]).length, 2);
      assert.notDeepEqual(second.payload, first.payload);
      assert.equal(typeof second.prev, 'string');
    });

    it('beta API: page numbers, and page mode with msg.cursor as page number', async () => {
      const n1 = await load(sim, {
        type: 'kpn-things-devices',
        api: 'beta',
        output: 'page',
        limit: '2',
        limitType: 'num',
      });
      let out = nextInput(get('out'));
      n1.receive({});
      const first = await out;
      assert.equal(first.page, 0);
      assert.equal(first.next, 1);
      assert.ok((first.payload as { uuid: string }[]).every((d) => typeof d.uuid === 'string'));
      out = nextInput(get('out'));
      n1.receive({ cursor: first.next });
      const second = await out;
      assert.equal(second.page, 1);
      assert.equal(sim.requestsFor('GET /api/devices')[1].query.currentPage, '1');
    });

    it('stops at Max items with a warning and msg.truncated', async () => {
      await sim.close();
      sim = await withSimulator({ deviceCount: 30 });
      const n1 = await load(sim, { type: 'kpn-things-devices', maxItems: 12, limit: '5', limitType: 'num' });
      const warn = spyOf(n1, 'warn');
      const out = nextInput(get('out'));
      n1.receive({});
      const msg = await out;
      assert.equal((msg.payload as unknown[]).length, 12);
      assert.equal(msg.truncated, true);
      assert.equal(warn.callCount, 1);
      assert.equal(sim.requestsFor('GET /devices').length, 3);
    });

    it('an API error reaches a Catch node with msg.problem and msg.statusCode', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      sim.inject({ route: 'GET /devices', status: 403 });
      const caught = nextInput(get('caught'));
      n1.receive({ payload: 'go' });
      const msg = (await caught) as Msg;
      assert.equal(msg.statusCode, 403);
      assert.equal(msg.problem?.status, 403);
      assert.equal(msg.problem?.title, 'Forbidden');
      assert.match(String((msg.error as { message: string }).message), /Forbidden/);
    });

    it('bad input names the field, reaches Catch, and makes no request', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const caught = nextInput(get('caught'));
      // Unknown filter names pass through (the API's filters are open); a bad value of a known one is refused.
      n1.receive({ query: { limit: 'many' } });
      const msg = (await caught) as Msg;
      assert.equal(msg.problem?.field, 'limit');
      assert.equal(msg.statusCode, undefined);
      assert.match(String(msg.problem?.detail), /whole number/);
      assert.equal(msg.problem?.hintCode, 'input.invalid_limit');
      assert.equal(sim.requests.length, 0);
    });

    it('second-output mode sends errors to output 2 instead of Catch', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices', errorOutput: true, outputs: 2 });
      sim.inject({ route: 'GET /devices', status: 404 });
      let caughtCount = 0;
      get('caught').on('input', () => caughtCount++);
      const err = nextInput(get('err'));
      n1.receive({});
      const msg = (await err) as Msg;
      assert.equal(msg.problem?.status, 404);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(caughtCount, 0);
    });

    it('status: blue ring while requesting, then a green dot with the count', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const status = spyOf(n1, 'status');
      const out = nextInput(get('out'));
      n1.receive({});
      await out;
      assert.deepEqual(status.firstCall.args[0], {
        fill: 'blue',
        shape: 'ring',
        text: 'kpn-things.status.requesting',
      });
      const last = status.lastCall.args[0] as { fill: string; shape: string; text: string };
      assert.equal(last.fill, 'green');
      assert.equal(last.shape, 'dot');
      // The test helper's RED._ returns the key; the catalogue tests check the text behind it.
      assert.equal(last.text, 'kpn-things-devices.status.items');
    });

    it('a red status after an error is replaced by the next success', async () => {
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const status = spyOf(n1, 'status');
      sim.inject({ route: 'GET /devices', status: 500, times: 1 });
      const caught = nextInput(get('caught'));
      n1.receive({});
      await caught;
      assert.equal((status.lastCall.args[0] as { fill: string }).fill, 'red');
      const out = nextInput(get('out'));
      n1.receive({});
      await out;
      assert.equal((status.lastCall.args[0] as { fill: string }).fill, 'green');
    });
  });

  describe('kpn-things-downlink', () => {
    it('sends msg.devEUI / msg.payload (Buffer) / msg.port as a SenML downlink', async () => {
      const n1 = await load(sim, {
        type: 'kpn-things-downlink',
        devEUI: 'devEUI',
        devEUIType: 'msg',
        payload: 'payload',
        payloadType: 'msg',
        port: 'port',
        portType: 'msg',
      });
      const out = nextInput(get('out'));
      const devEUI = sim.devEUIs()[0];
      const spaced = devEUI.toLowerCase().match(/../g)?.join(':');
      n1.receive({ _msgid: 'abc123', devEUI: spaced, payload: Buffer.from([1, 0xab]), port: 10 });
      const msg = await out;
      assert.equal(msg.statusCode, 201);
      assert.equal((msg.payload as { status: string }).status, 'QUEUED');
      assert.deepEqual((msg.downlink as Record<string, unknown>).devEUI, devEUI);
      assert.equal((msg.downlink as Record<string, unknown>).payloadHex, '01AB');
      const sent = sim.requestsFor('POST /api/actuator/downlinks')[0];
      assert.equal(sent.query.port, '10');
      assert.equal(sent.query.externalReference, 'abc123');
      assert.deepEqual(sent.body, [{ bn: `urn:dev:DEVEUI:${devEUI}:`, n: 'payloadHex', vs: '01AB' }]);
    });

    it('uses fixed values from the node and msg.externalReference', async () => {
      const devEUI = sim.devEUIs()[1];
      const n1 = await load(sim, {
        type: 'kpn-things-downlink',
        devEUI,
        devEUIType: 'str',
        payload: 'ff00',
        payloadType: 'str',
        port: '42',
        portType: 'num',
      });
      const out = nextInput(get('out'));
      n1.receive({ externalReference: 'order-7' });
      await out;
      const sent = sim.requestsFor('POST /api/actuator/downlinks')[0];
      assert.equal(sent.query.port, '42');
      assert.equal(sent.query.externalReference, 'order-7');
    });

    it('sends a SenML record array in msg.payload as given', async () => {
      const n1 = await load(sim, { type: 'kpn-things-downlink', port: 'port', portType: 'msg' });
      const out = nextInput(get('out'));
      const records = [{ bn: `urn:dev:DEVEUI:${sim.devEUIs()[2]}:`, n: 'payloadHex', vs: '0102' }];
      n1.receive({ payload: records, port: 3 });
      const msg = await out;
      assert.deepEqual(sim.requestsFor('POST /api/actuator/downlinks')[0].body, records);
      assert.equal((msg.downlink as Record<string, unknown>).devEUI, sim.devEUIs()[2]);
    });

    for (const [name, input, field] of [
      ['a short DevEUI', { devEUI: '12345', payload: '01', port: 1 }, 'devEUI'],
      ['port 0', { devEUI: '0123456789ABCDEF', payload: '01', port: 0 }, 'port'],
      ['an odd-length payload', { devEUI: '0123456789ABCDEF', payload: 'abc', port: 1 }, 'payload'],
    ] as const) {
      it(`refuses ${name} before any request`, async () => {
        const n1 = await load(sim, {
          type: 'kpn-things-downlink',
          devEUI: 'devEUI',
          devEUIType: 'msg',
          payload: 'payload',
          payloadType: 'msg',
          port: 'port',
          portType: 'msg',
        });
        const caught = nextInput(get('caught'));
        n1.receive({ ...input });
        const msg = (await caught) as Msg;
        assert.equal(msg.problem?.field, field);
        assert.equal(msg.problem?.status, 400);
        assert.equal(sim.requests.length, 0);
      });
    }
  });

  describe('kpn-things-customer', () => {
    it('gets the customer named by msg.customerId, with no reseller context from msg', async () => {
      const n1 = await load(sim, {
        type: 'kpn-things-customer',
        mode: 'get',
        customerId: 'customerId',
        customerIdType: 'msg',
      });
      const out = nextInput(get('out'));
      const customer = sim.customers[1];
      n1.receive({ customerId: customer.id });
      const msg = await out;
      assert.equal((msg.payload as { name: string }).name, customer.name);
      const sent = sim.requestsFor('GET /clients/{id}')[0];
      assert.equal(sent.headers['kpn-things-security-context'], undefined);
    });

    it('uses the config node default reseller context', async () => {
      const n1 = await load(
        sim,
        { type: 'kpn-things-customer', mode: 'get', customerId: sim.customers[0].id, customerIdType: 'str' },
        { customerId: sim.customers[0].id },
      );
      const out = nextInput(get('out'));
      n1.receive({});
      await out;
      assert.equal(
        sim.requestsFor('GET /clients/{id}')[0].headers['kpn-things-security-context'],
        `client:uuid:${sim.customers[0].id}`,
      );
    });

    it('lists customers', async () => {
      const n1 = await load(sim, { type: 'kpn-things-customer', mode: 'list' });
      const out = nextInput(get('out'));
      n1.receive({});
      const msg = await out;
      assert.equal((msg.payload as unknown[]).length, sim.customers.length);
    });

    it('an unknown customer reaches Catch as a 404 problem', async () => {
      const n1 = await load(sim, { type: 'kpn-things-customer', mode: 'get' });
      const caught = nextInput(get('caught'));
      n1.receive({ customerId: '00000000-0000-4000-8000-000000000000' });
      const msg = (await caught) as Msg;
      assert.equal(msg.statusCode, 404);
      assert.equal(msg.problem?.status, 404);
    });

    it('a malformed customer id makes no request', async () => {
      const n1 = await load(sim, { type: 'kpn-things-customer', mode: 'get' });
      const caught = nextInput(get('caught'));
      n1.receive({ customerId: 'acme' });
      const msg = (await caught) as Msg;
      assert.equal(msg.problem?.field, 'customerId');
      assert.equal(sim.requests.length, 0);
    });
  });

  describe('shared token cache and lifecycle', () => {
    it('3 nodes x 100 concurrent messages use one GRIP token', async () => {
      const nodes = [
        configFor(sim),
        {
          id: 'a',
          z: 'tab',
          type: 'kpn-things-devices',
          config: 'cfg',
          limit: '1',
          limitType: 'num',
          output: 'page',
          wires: [['out']],
        },
        { id: 'b', z: 'tab', type: 'kpn-things-customer', config: 'cfg', mode: 'get', wires: [['out']] },
        { id: 'c', z: 'tab', type: 'kpn-things-downlink', config: 'cfg', wires: [['out']] },
        { id: 'out', z: 'tab', type: 'helper' },
        { id: 'tab', type: 'tab' },
      ];
      await helper.load(allNodes, nodes, credsFor(sim));
      const all = inputs(get('out'), 300, 20000);
      const devEUI = sim.devEUIs()[0];
      for (let i = 0; i < 100; i++) {
        get('a').receive({});
        get('b').receive({ customerId: sim.customers[i % sim.customers.length].id });
        get('c').receive({ devEUI, payload: '01', port: 1 });
      }
      const msgs = await all;
      assert.equal(msgs.length, 300);
      assert.equal(sim.tokensIssued, 1);
      assert.equal(sim.requestsFor('POST /token').length, 1);
    });

    it('close aborts calls in flight, quickly and without unhandled rejections', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const n1 = await load(sim, { type: 'kpn-things-devices' });
        sim.inject({ route: 'GET /devices', latencyMs: 3000 });
        let caught = 0;
        get('caught').on('input', () => caught++);
        n1.receive({});
        await new Promise((r) => setTimeout(r, 200));
        const started = Date.now();
        await helper.unload();
        assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(caught, 0, 'an abort on close is not reported as an error');
        assert.deepEqual(unhandled, []);
      } finally {
        process.removeListener('unhandledRejection', onUnhandled);
      }
    });

    it('a redeploy with the same credentials keeps the token; other credentials get another', async () => {
      const nodes = flow(sim, { type: 'kpn-things-devices' });
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      let out = nextInput(get('out'));
      n1.receive({});
      await out;
      assert.equal(sim.tokensIssued, 1);
      await helper.setFlows(nodes, 'full', credsFor(sim));
      out = nextInput(get('out'));
      get('n1').receive({});
      await out;
      assert.equal(sim.tokensIssued, 1, 'token kept across the redeploy');
      await helper.setFlows(
        flow(sim, { type: 'kpn-things-devices' }, { tokenPath: '/api/v3/idp/oidc/token' }),
        'full',
        credsFor(sim),
      );
      out = nextInput(get('out'));
      get('n1').receive({});
      await out;
      assert.equal(sim.tokensIssued, 2, 'changed token settings fetch a new token');
    });

    it('without a config node: red status and a clear error per message', async () => {
      await helper.load(
        [...allNodes, catchNode],
        [
          { id: 'n1', z: 'tab', type: 'kpn-things-devices', config: '', wires: [[]] },
          { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
          { id: 'caught', z: 'tab', type: 'helper' },
          { id: 'tab', type: 'tab' },
        ],
      );
      const caught = nextInput(get('caught'));
      get('n1').receive({});
      const msg = (await caught) as Msg;
      assert.match(String((msg.error as { message: string }).message), /config/i);
    });

    it('missing credentials: an error naming the field, no request', async () => {
      await helper.load([...allNodes, catchNode], flow(sim, { type: 'kpn-things-devices' }), {
        cfg: { clientId: sim.credentials.clientId },
      });
      const caught = nextInput(get('caught'));
      get('n1').receive({});
      const msg = (await caught) as Msg;
      assert.match(String(msg.problem?.detail), /clientSecret is missing/);
      assert.equal(sim.requests.length, 0);
    });

    it('keeps the secret and the token out of msgs, status and logs; the secret is a password credential', async () => {
      await new Promise<void>((resolve, reject) =>
        helper.startServer((err) => (err ? reject(err) : resolve())),
      );
      const n1 = await load(sim, { type: 'kpn-things-devices' });
      const seen: string[] = [];
      sim.inject({ route: 'GET /devices', status: 401 });
      const caught = nextInput(get('caught'));
      n1.receive({});
      seen.push(JSON.stringify(await caught));
      sim.clearFaults();
      const out = nextInput(get('out'));
      n1.receive({});
      seen.push(JSON.stringify(await out));
      for (const method of ['status', 'warn', 'error', 'log'] as const)
        seen.push(JSON.stringify(spyOf(n1, method, false).args));
      const text = seen.join('\n');
      assert.ok(!text.includes(sim.credentials.clientSecret));
      assert.ok(!/Bearer\s/.test(text));
      // What the editor API may send to a browser: 'password' credentials never leave the runtime.
      const nodes = (
        helper as unknown as { _RED: { nodes: { getCredentialDefinition(type: string): unknown } } }
      )._RED.nodes;
      assert.deepEqual(nodes.getCredentialDefinition('kpn-things-config'), {
        clientId: { type: 'text' },
        clientSecret: { type: 'password' },
        // A pasted CA certificate is public: shown again in the dialog.
        ca: { type: 'text' },
      });
      await helper.unload();
      await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    });
  });
});
