/**
 * Saved shapes: migrate() takes any older saved definition to the current one, and the flows exported
 * from 0.1.0 (test/fixtures/flows-0.1.0: the examples and the `npm start` demo flow, which have no
 * `version`) load through the migrations and behave as the same flows saved in the current shape.
 * A wrong literal setting is reported once, when the node starts.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { Node } from 'node-red';
import sinon from 'sinon';
import type { Simulator } from '../lib/simulator/types';
import { configSchema } from '../nodes/kpn-things-config/schema';
import { customerSchema } from '../nodes/kpn-things-customer/schema';
import { devicesSchema } from '../nodes/kpn-things-devices/schema';
import { downlinkSchema } from '../nodes/kpn-things-downlink/schema';
import { checkSettings, migrate, type NodeSchema } from '../nodes/shared/schema';
import { allNodes, flowCoreNodes, helper, nextInput } from './support/nodered';
import { configNodeFor, credentialsFor, withSimulator } from './support/sim';

const fixturesDir = path.join(__dirname, '..', '..', 'test', 'fixtures', 'flows-0.1.0');
const SCHEMAS: Record<string, NodeSchema> = {
  'kpn-things-config': configSchema,
  'kpn-things-devices': devicesSchema,
  'kpn-things-downlink': downlinkSchema,
  'kpn-things-customer': customerSchema,
};
const core = flowCoreNodes;

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

function fixtures(): [string, FlowNode[]][] {
  return fs
    .readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(fixturesDir, f), 'utf8')) as FlowNode[]]);
}

describe('saved shapes and migrations', () => {
  describe('migrate()', () => {
    it('takes every 0.1.0 node of the fixtures to the current version, every property set', () => {
      for (const [file, flow] of fixtures()) {
        for (const node of flow.filter((n) => SCHEMAS[n.type])) {
          const schema = SCHEMAS[node.type];
          assert.equal(node.version, undefined, `${file}: 0.1.0 saved no version`);
          const out = migrate(schema, node);
          assert.equal(out.version, schema.version);
          for (const [name, spec] of Object.entries(schema.properties)) {
            assert.notEqual(out[name], undefined, `${file} ${node.id}: ${name}`);
            if (spec.kind === 'typed') assert.ok(out[`${name}Type`], `${file} ${node.id}: ${name}Type`);
          }
          assert.equal(checkSettings(schema, out), undefined, `${file} ${node.id} has a wrong setting`);
        }
      }
    });

    it('devices: the search text saved as `q` becomes `search`; a saved `search` wins', () => {
      const old = { id: 'd', type: 'kpn-things-devices', q: 'sensor', qType: 'env' };
      const out = migrate(devicesSchema, old);
      assert.equal(out.search, 'sensor');
      assert.equal(out.searchType, 'env');
      assert.ok(!('q' in out) && !('qType' in out));
      assert.equal(migrate(devicesSchema, { ...old, search: 'kept' }).search, 'kept');
      assert.equal(old.q, 'sensor', 'the saved definition is left as it is');
    });

    it('keeps what 0.1.0 did for a property it did not save (the type defaults, as the runtime read them)', () => {
      const out = migrate(downlinkSchema, { id: 'x', type: 'kpn-things-downlink', config: 'c' });
      assert.equal(out.devEUI, 'devEUI');
      assert.equal(out.devEUIType, 'msg');
      assert.equal(out.errorOutput, false);
    });

    it('property: is idempotent, and leaves a current definition as it is', () => {
      const names = Object.keys(devicesSchema.properties);
      const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(undefined));
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...names, 'q', 'qType', 'version'), value),
          (saved: Record<string, unknown>) => {
            const once = migrate(devicesSchema, saved);
            assert.deepEqual(migrate(devicesSchema, once), once);
          },
        ),
      );
    });
  });

  describe('0.1.0 flows under Node-RED, against the simulator', () => {
    let sim: Simulator;
    const env = ['KPN_THINGS_TENANT_ID', 'KPN_THINGS_API_URL', 'KPN_THINGS_GRIP_URL'] as const;
    beforeEach(async () => {
      sim = await withSimulator({ deviceCount: 5 });
      process.env.KPN_THINGS_TENANT_ID = sim.credentials.tenantId;
      process.env.KPN_THINGS_API_URL = sim.apiUrl;
      process.env.KPN_THINGS_GRIP_URL = sim.gripUrl;
    });
    afterEach(async () => {
      await helper.unload();
      await sim.close();
      for (const name of env) delete process.env[name];
    });

    /**
     * Loads `flow` (config nodes reading the simulator from the environment, debug nodes as helpers, no
     * proxy), triggers every inject node, and returns what reached each helper: a summary per message.
     */
    async function run(flow: FlowNode[]): Promise<Record<string, unknown[]>> {
      const credentials: Record<string, unknown> = {};
      const nodes = flow.map((n) => {
        if (n.type === 'kpn-things-config') {
          Object.assign(credentials, credentialsFor(sim, n.id));
          return { ...n, proxy: 'none' };
        }
        if (n.type === 'debug') return { id: n.id, z: n.z, type: 'helper' };
        return n;
      });
      const tabs = [...new Set(nodes.map((n) => n.z).filter((z): z is string => typeof z === 'string'))];
      const extraTabs = tabs.filter((z) => !nodes.some((n) => n.id === z)).map((id) => ({ id, type: 'tab' }));
      await helper.load([...allNodes, ...core], [...extraTabs, ...nodes], credentials);
      const seen: Record<string, unknown[]> = {};
      for (const n of nodes.filter((n) => n.type === 'helper')) {
        const node = helper.getNode(n.id) as Node;
        seen[n.id] = [];
        node.on('input', (msg: Record<string, unknown>) => seen[n.id].push(summary(msg)));
      }
      for (const n of nodes.filter((n) => n.type === 'inject')) (helper.getNode(n.id) as Node).receive({});
      // Errors that went to no Catch node (the helper wraps node.error in a spy) count as results too.
      const errors = (): void => {
        for (const n of nodes.filter((n) => SCHEMAS[n.type] && n.type !== 'kpn-things-config')) {
          const spy = (helper.getNode(n.id) as unknown as Record<string, sinon.SinonSpy>).error;
          seen[`${n.id} errors`] = spy
            .getCalls()
            .map((c) => String((c.args[0] as Error)?.message ?? c.args[0]));
        }
      };
      // Until no message has arrived for 400 ms (at most 10 s).
      let count = -1;
      for (let i = 0; i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        errors();
        const now = Object.values(seen).reduce((sum, list) => sum + list.length, 0);
        if (now === count && i > 1) break;
        count = now;
      }
      return seen;
    }

    /** What a message is, without ids and times. */
    function summary(msg: Record<string, unknown>): unknown {
      const problem = msg.problem as Record<string, unknown> | undefined;
      const payload = msg.payload;
      return {
        keys: Object.keys(msg)
          .filter((k) => k !== '_msgid' && k !== 'error' && k !== '_error' && k !== 'parts')
          .sort(),
        statusCode: msg.statusCode,
        problem: problem && { title: problem.title, status: problem.status, field: problem.field },
        payload: Array.isArray(payload) ? `array of ${payload.length}` : typeof payload,
      };
    }

    for (const [file, flow] of fixtures()) {
      it(`"${file}" behaves as the same flow in the current shape`, async () => {
        const asSaved = await run(flow);
        await helper.unload();
        const current = flow.map((n) =>
          SCHEMAS[n.type] ? (migrate(SCHEMAS[n.type], n) as unknown as FlowNode) : n,
        );
        const asCurrent = await run(current);
        const total = Object.values(asSaved).reduce((sum, list) => sum + list.length, 0);
        assert.ok(total > 0, 'the flow produced messages');
        assert.deepEqual(asSaved, asCurrent);
      });
    }
  });

  describe('a wrong setting', () => {
    let sim: Simulator;
    beforeEach(async () => {
      sim = await withSimulator({ deviceCount: 2 });
    });
    afterEach(async () => {
      await helper.unload();
      await sim.close();
      sinon.restore();
    });

    /** Loads `node` as 'n1' (config 'cfg', output 'out', errors caught into 'caught'); its spies. */
    async function loadOne(node: Record<string, unknown>): Promise<Record<string, sinon.SinonSpy>> {
      const flow = [
        configNodeFor(sim),
        { id: 'n1', z: 'tab', config: 'cfg', wires: [['out']], ...node },
        { id: 'out', z: 'tab', type: 'helper' },
        { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', z: 'tab', type: 'helper' },
        { id: 'tab', type: 'tab' },
      ];
      await helper.load([...allNodes, ...core], flow, credentialsFor(sim));
      return helper.getNode('n1') as unknown as Record<string, sinon.SinonSpy>;
    }

    it('is reported once, at start (red status, one error naming the field), and each message says so', async () => {
      const n1 = await loadOne({ type: 'kpn-things-downlink', devEUI: '12345', devEUIType: 'str' });
      const errorsAtStart = n1.error.getCalls().map((c) => String(c.args[0]));
      assert.equal(errorsAtStart.length, 1);
      assert.match(errorsAtStart[0], /devEUI/);
      assert.match(errorsAtStart[0], /16 hex digits/, 'says how to fix it');
      const status = n1.status.lastCall.args[0] as { fill: string; text: string };
      assert.equal(status.fill, 'red');
      assert.equal(status.text, 'kpn-things.status.misconfigured');

      const caught = nextInput(helper.getNode('caught') as Node);
      (n1 as unknown as Node).receive({ payload: '01' });
      const msg = (await caught) as Record<string, unknown> & { problem: Record<string, unknown> };
      assert.equal(msg.problem.field, 'devEUI');
      assert.match(String((msg.error as { message: string }).message), /devEUI/);
      assert.equal(sim.requests.length, 0, 'no request was made');
      assert.equal((n1.status.lastCall.args[0] as { text: string }).text, 'kpn-things.status.misconfigured');
    });

    it('a page size above 1000 is not a wrong setting (no invented maximum): it goes to the API', async () => {
      const n1 = await loadOne({ type: 'kpn-things-devices', limit: '5000', limitType: 'num' });
      assert.equal(n1.error.callCount, 0, 'nothing reported at start');
      const done = Promise.race([
        nextInput(helper.getNode('out') as Node),
        nextInput(helper.getNode('caught') as Node),
      ]);
      (n1 as unknown as Node).receive({});
      await done;
      assert.ok(
        sim.requests.some((r) => r.route === 'GET /devices' && r.query.limit === '5000'),
        'the request carried limit=5000',
      );
    });
  });
});
