/**
 * kpn-things-uplink in Node-RED (node-red-node-test-helper): its route on RED.httpNode served by a
 * plain http server on 127.0.0.1 (port 0), pushes signed the way KPN Things signs them.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node, NodeAPI } from 'node-red';
import type sinon from 'sinon';
import { layersAt, type NodeApp } from '../nodes/kpn-things-uplink/route';
import { coreNode, helper, inputs, nextInput, uplinkNode } from './support/nodered';

const catchNode = coreNode('common/25-catch');
const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const OLD_SECRET = 'Zyxwvutsrqponmlkjihgfedcba9876!#';
const VECTOR_BODY =
  '[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","bt":1700000000},{"n":"payload","vs":"0102ab"},{"n":"port","v":1}]';
const VECTOR_TOKEN = 'e27abd1670d83017b9f08ee8b186ab0741616f13fc23dcfe79a30ac50ef3a7fb';
const RAW_PACK =
  '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.76675482e9,"n":"payload","vs":"1b0c"},{"n":"port","v":3.0},{"n":"timeOrigin","vs":"NETWORK"}]';
const PATH = '/kpn/uplink';

type Msg = Record<string, unknown>;

let app: NodeApp | undefined;
/** Standalone Node-RED's layout: httpNode mounted in a root app after a JSON body parser (the admin app's). */
let root: http.RequestListener | undefined;
let withRoot = false;
/** The node module, noting the RED.httpNode it mounts on. */
const capturing = (RED: NodeAPI): unknown => {
  app = RED.httpNode as unknown as NodeApp;
  if (withRoot) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const express = require('express') as typeof import('express');
    const rootApp = express();
    rootApp.use(express.json());
    rootApp.use('/', RED.httpNode);
    root = rootApp as unknown as http.RequestListener;
  }
  return (uplinkNode as (red: NodeAPI) => unknown)(RED);
};

let server: http.Server | undefined;
let base = '';
let prefix = '/';

/** Serves RED.httpNode under `prefix` (as Node-RED mounts it under httpNodeRoot). */
async function serve(): Promise<void> {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!app || !url.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    if (root) {
      root(req, res);
      return;
    }
    req.url = url.slice(prefix.length - 1) || '/';
    (app as unknown as http.RequestListener)(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function token(body: string | Buffer, secret = SECRET): string {
  return createHash('sha256').update(body).update(secret, 'utf8').digest('hex');
}

interface Answer {
  status: number;
  text: string;
}

function send(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const req = http.request(
      `${base}${path}`,
      {
        method,
        headers: { 'content-type': 'application/json', 'content-length': data.length, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A push signed with `secret`, to the node's path (below the prefix). */
function push(
  body: string,
  secret = SECRET,
  extra: Record<string, string> = {},
  path = PATH,
): Promise<Answer> {
  return send(`${prefix.replace(/\/$/, '')}${path}`, body, {
    'things-message-token': token(body, secret),
    'things-plug-uuid': '5bd1ef2c-6a06-4b58-9d5d-6c0b6a7d2b10',
    ...extra,
  });
}

function flow(props: Record<string, unknown> = {}, more: unknown[] = []): unknown[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'up', z: 'tab', type: 'kpn-things-uplink', url: PATH, wires: [['out']], ...props },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: ['up'], uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
    ...more,
  ];
}

async function load(props: Record<string, unknown> = {}, creds: Record<string, unknown> = {}): Promise<void> {
  await helper.load([capturing, catchNode], flow(props), { up: { sharedSecret: SECRET, ...creds } });
}

const get = (id: string): Node => {
  const node = helper.getNode(id);
  assert.ok(node, `node ${id}`);
  return node;
};

function spy(node: Node, method: 'status' | 'warn' | 'error' | 'log'): sinon.SinonSpy {
  return (node as unknown as Record<string, sinon.SinonSpy>)[method];
}

/** Resolves with the messages that reached `node` within `ms` (for "nothing was sent"). */
function collect(node: Node, ms = 150): Promise<Msg[]> {
  const got: Msg[] = [];
  const on = (msg: Msg): void => {
    got.push(msg);
  };
  node.on('input', on);
  return new Promise((resolve) =>
    setTimeout(() => {
      node.removeListener('input', on);
      resolve(got);
    }, ms),
  );
}

describe('kpn-things-uplink node', function () {
  before(serve);
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  });
  afterEach(async () => {
    prefix = '/';
    withRoot = false;
    root = undefined;
    helper.settings({});
    await helper.unload();
  });

  it('answers 200 to a signed push and sends the resolved message', async () => {
    await load();
    const arrived = nextInput(get('out'));
    const answer = await push(RAW_PACK);
    assert.equal(answer.status, 200);
    const msg = await arrived;
    assert.deepEqual(msg.payload, { payload: '1b0c', port: 3 });
    assert.deepEqual(msg.device, {
      urn: 'urn:dev:DEVEUI:0059AC0000000001:',
      type: 'DEVEUI',
      id: '0059AC0000000001',
    });
    assert.equal(msg.kind, 'uplink');
    assert.equal(msg.messageId, token(RAW_PACK));
    assert.equal(msg.plugUUID, '5bd1ef2c-6a06-4b58-9d5d-6c0b6a7d2b10');
    assert.equal((msg.time as { ms: number }).ms, 1766754820000);
    assert.equal((msg.senml as unknown[]).length, 3);
    assert.equal(typeof msg._msgid, 'string');
  });

  it('reads the raw bytes even behind a JSON body parser (standalone Node-RED: admin and httpNode on /)', async () => {
    withRoot = true;
    await load();
    const arrived = nextInput(get('out'));
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.equal((await arrived).messageId, token(RAW_PACK));
    assert.equal((await push(VECTOR_BODY, 'wrong')).status, 403);
    const big = `[{"n":"x","vs":"${'a'.repeat(300 * 1024)}"}]`;
    assert.equal((await push(big)).status, 413);
  });

  it("verifies the contract's test vector, and accepts upper-case hex", async () => {
    await load();
    const out = get('out');
    const two = inputs(out, 2);
    assert.equal((await send(PATH, VECTOR_BODY, { 'things-message-token': VECTOR_TOKEN })).status, 200);
    const body = VECTOR_BODY.replace('0102ab', '0102ac');
    assert.equal((await send(PATH, body, { 'things-message-token': token(body).toUpperCase() })).status, 200);
    const msgs = await two;
    assert.deepEqual(msgs[0].payload, { payload: '0102ab', port: 1 });
  });

  for (const [name, make] of [
    ['a wrong secret', (): Promise<Answer> => push(RAW_PACK, `${SECRET}x`)],
    [
      'one tampered byte',
      (): Promise<Answer> =>
        send(PATH, RAW_PACK.replace('1b0c', '1b0d'), { 'things-message-token': token(RAW_PACK) }),
    ],
    ['a missing token header', (): Promise<Answer> => send(PATH, RAW_PACK)],
  ] as const) {
    it(`answers 403 to ${name}, sends nothing, and tells Catch nodes the reason and sender`, async () => {
      await load();
      const nothing = collect(get('out'), 300);
      const caught = nextInput(get('caught'));
      assert.equal((await make()).status, 403);
      const problemMsg = await caught;
      assert.deepEqual(await nothing, []);
      const problem = problemMsg.problem as Record<string, unknown>;
      assert.equal(problem.status, 403);
      assert.match(String(problem.code), /token/);
      assert.equal(problemMsg.remoteAddress, '127.0.0.1');
      assert.ok(!JSON.stringify(problemMsg).includes('1b0c'), 'no body in the error msg');
    });
  }

  it('answers 405 to another method, 415 to a media type that is not JSON, 400 to verified non-JSON', async () => {
    await load();
    assert.equal((await send(PATH, '', {}, 'PUT')).status, 405);
    const xml = '<a/>';
    assert.equal(
      (await send(PATH, xml, { 'content-type': 'text/xml', 'things-message-token': token(xml) })).status,
      415,
    );
    const notJson = '[{"n":';
    assert.equal((await send(PATH, notJson, { 'things-message-token': token(notJson) })).status, 400);
  });

  it('answers 413 above the size limit', async () => {
    await load({ maxBody: 1 });
    const big = `[{"n":"x","vs":"${'a'.repeat(2048)}"}]`;
    assert.equal((await push(big)).status, 413);
    assert.equal((await push(RAW_PACK)).status, 200);
  });

  it('recognises a retry: dropped by default (200, one message), or marked msg.duplicate', async () => {
    await load();
    const seen = collect(get('out'), 400);
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.equal((await seen).length, 1);
    await helper.unload();
    await load({ duplicates: 'mark' });
    const two = inputs(get('out'), 2);
    await push(RAW_PACK);
    await push(RAW_PACK);
    const [first, second] = await two;
    assert.equal(first.duplicate, undefined);
    assert.equal(second.duplicate, true);
  });

  it('keeps recent ids in a named context store across a redeploy', async () => {
    await load({ recentIdsStore: 'default' });
    assert.equal((await push(RAW_PACK)).status, 200);
    const flows = flow({ recentIdsStore: 'default', name: 'redeployed' });
    await helper.setFlows(flows, 'full', { up: { sharedSecret: SECRET } });
    const nothing = collect(get('out'), 300);
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.deepEqual(await nothing, [], 'the retry after the redeploy was recognised');
  });

  it('accepts the previous secret while rotating, and warns that KPN still uses it', async () => {
    await load({}, { previousSecret: OLD_SECRET });
    const up = get('up');
    const two = inputs(get('out'), 2);
    assert.equal((await push(RAW_PACK, OLD_SECRET)).status, 200);
    assert.equal((await push(VECTOR_BODY, SECRET)).status, 200);
    await two;
    assert.ok(
      spy(up, 'warn')
        .getCalls()
        .some((c) => /previous/.test(String(c.args[0]))),
    );
  });

  it('leaves exactly one route after 20 redeploys: one push, one message', async () => {
    await load();
    for (let i = 0; i < 20; i++) {
      await helper.setFlows(flow({ name: `deploy ${i}` }), 'full', { up: { sharedSecret: SECRET } });
    }
    assert.equal(layersAt(app!, PATH), 1);
    const seen = collect(get('out'), 400);
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.equal((await seen).length, 1);
  });

  it('refuses a second node on the same path at deploy time; the first keeps serving', async () => {
    const second = { id: 'up2', z: 'tab', type: 'kpn-things-uplink', url: `${PATH}/`, wires: [['out']] };
    await helper.load([capturing, catchNode], flow({}, [second]), {
      up: { sharedSecret: SECRET },
      up2: { sharedSecret: SECRET },
    });
    // The helper's spies sit on Node.prototype: one spy for every node.
    const errors = spy(get('up'), 'error').getCalls();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0].args[0]), /already serves/);
    assert.equal(layersAt(app!, PATH), 1);
    const seen = collect(get('out'), 400);
    assert.equal((await push(RAW_PACK)).status, 200);
    assert.equal((await seen).length, 1);
  });

  it('serves below httpNodeRoot and says the full path', async () => {
    helper.settings({ httpNodeRoot: '/red/' });
    prefix = '/red/';
    await load();
    assert.ok(
      spy(get('up'), 'log')
        .getCalls()
        .some((c) => String(c.args[0]).includes(`/red${PATH}`)),
    );
    const arrived = nextInput(get('out'));
    assert.equal((await push(RAW_PACK)).status, 200);
    await arrived;
  });

  it('warns and serves nothing when httpNodeRoot is false; warns about httpNodeAuth', async () => {
    helper.settings({ httpNodeRoot: false });
    await load();
    assert.ok(
      spy(get('up'), 'warn')
        .getCalls()
        .some((c) => /httpNodeRoot/.test(String(c.args[0]))),
    );
    assert.equal(layersAt(app!, PATH), 0);
    await helper.unload();
    helper.settings({ httpNodeAuth: { user: 'a', pass: 'b' } });
    await load();
    assert.ok(
      spy(get('up'), 'warn')
        .getCalls()
        .some((c) => /httpNodeAuth/.test(String(c.args[0]))),
    );
    // With httpNodeAuth in front, requests take the router's way (no fast path at the top): still served.
    const arrived = nextInput(get('out'));
    assert.equal((await push(RAW_PACK)).status, 200);
    await arrived;
  });

  it("runs the user's httpNodeMiddleware in front of the receiver, also when admin and httpNode share /", async () => {
    withRoot = true;
    const seen: string[] = [];
    helper.settings({
      httpNodeMiddleware: (
        req: { url?: string; headers: Record<string, unknown> },
        res: { statusCode: number; end(): void },
        next: () => void,
      ) => {
        seen.push(String(req.url));
        if (req.headers['x-proxy-ok'] === 'yes') return next();
        res.statusCode = 401;
        res.end();
      },
    });
    await load();
    assert.equal(
      (await push(RAW_PACK)).status,
      401,
      'the middleware refused it; the node did not answer first',
    );
    const arrived = nextInput(get('out'));
    const body = RAW_PACK.replace('1b0c', '1b0e');
    assert.equal(
      (await send(PATH, body, { 'things-message-token': token(body), 'x-proxy-ok': 'yes' })).status,
      200,
    );
    await arrived;
    assert.deepEqual(seen, [PATH, PATH]);
  });

  it('resolves a multi-record pack with base values in the middle, per pack or per device', async () => {
    const pack = JSON.stringify([
      { bn: 'urn:dev:DEVEUI:0059AC0000000001:', bt: 1.7e9, n: 'temperature', u: 'Cel', v: 21.5 },
      { n: 'battery', u: '%', v: 87 },
      { bn: 'urn:dev:DEVEUI:0059AC0000000002:', bt: 1.7e9, n: 'temperature', t: 1.5, v: 1.9e1 },
      { n: 'battery', v: 5.0e1 },
    ]);
    await load();
    const one = nextInput(get('out'));
    await push(pack);
    const msg = await one;
    assert.equal((msg.payload as Msg).temperature, 21.5);
    assert.equal((msg.payload as Msg).battery, 87);
    await helper.unload();
    await load({ split: 'device' });
    const two = inputs(get('out'), 2);
    await push(pack);
    const [a, b] = await two;
    assert.deepEqual(a.payload, { temperature: 21.5, battery: 87 });
    assert.deepEqual(b.payload, { temperature: 19, battery: 50 });
    assert.equal((b.device as Msg).id, '0059AC0000000002');
    assert.equal((b.time as { ms: number }).ms, 1.7e12 + 1500);
  });

  it('passes a verified body that is not SenML through as payload, without msg.senml', async () => {
    await load();
    const arrived = nextInput(get('out'));
    const body = '{"device":"abc","temperature":21.5}';
    assert.equal((await push(body)).status, 200);
    const msg = await arrived;
    assert.deepEqual(msg.payload, { device: 'abc', temperature: 21.5 });
    assert.equal(msg.senml, undefined);
    assert.equal(msg.kind, 'other');
  });

  it('never puts a secret in logs, status, errors or messages', async () => {
    const weak = 'short!A1';
    await helper.load([capturing, catchNode], flow({ auth: 'bearer' }), {
      up: { sharedSecret: weak, previousSecret: OLD_SECRET, authSecret: 'bearer-token-xyz' },
    });
    const up = get('up');
    const msgs: Msg[] = [];
    get('out').on('input', (m: Msg) => msgs.push(m));
    get('caught').on('input', (m: Msg) => msgs.push(m));
    await push(RAW_PACK, weak, { authorization: 'Bearer bearer-token-xyz' });
    await push(RAW_PACK, OLD_SECRET, { authorization: 'Bearer wrong' });
    await push(VECTOR_BODY, 'nope', { authorization: 'Bearer bearer-token-xyz' });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.ok(msgs.length >= 2);
    const said = JSON.stringify([
      ...['warn', 'error', 'log', 'status'].flatMap((m) =>
        spy(up, m as 'warn')
          .getCalls()
          .map((c) => c.args),
      ),
      msgs,
    ]);
    assert.match(said, /characters long/, 'the weak secret was warned about');
    for (const secret of [weak, OLD_SECRET, 'bearer-token-xyz']) {
      assert.ok(!said.includes(secret), `a secret leaked: ${secret.slice(0, 3)}…`);
    }
  });

  it('shows throttled counts in its status', async () => {
    await load();
    const up = get('up');
    spy(up, 'status').resetHistory();
    for (let i = 0; i < 5; i++) await push(VECTOR_BODY.replace('0102ab', `0102a${i}`));
    await push(RAW_PACK, 'wrong');
    assert.equal(spy(up, 'status').callCount, 0, 'no status per message');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const last = spy(up, 'status').lastCall.args[0] as { text: string };
    assert.equal(last.text, 'kpn-things-uplink.status.counts', '(the test helper does not translate)');
    assert.ok(spy(up, 'status').callCount <= 2);
  });

  it('stays red with a clear error when the shared secret is missing', async () => {
    await helper.load([capturing, catchNode], flow(), {});
    const up = get('up');
    assert.match(String(spy(up, 'error').firstCall.args[0]), /sharedSecret is missing/);
    assert.equal(layersAt(app!, PATH), 0);
  });
});
