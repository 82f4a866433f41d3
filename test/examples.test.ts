import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { allNodes, coreNode, flowCoreNodes, helper } from './support/nodered';

const examplesDir = path.join(__dirname, '..', '..', 'examples');
const core = [...flowCoreNodes, coreNode('common/21-debug')];

describe('example flows', () => {
  afterEach(async () => {
    await helper.unload();
  });

  const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

  it('ship one example at least per node', () => {
    const types = new Set(
      files.flatMap((f) =>
        (JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')) as { type: string }[]).map(
          (n) => n.type,
        ),
      ),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(examplesDir, '..', 'package.json'), 'utf8')) as {
      'node-red': { nodes: object };
    };
    for (const type of Object.keys(pkg['node-red'].nodes)) {
      assert.ok(types.has(type), `no example uses ${type}`);
    }
  });

  for (const file of files) {
    it(`"${file}" loads and every node starts`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as {
        id: string;
        type: string;
        z?: string;
      }[];
      assert.ok(Array.isArray(flow) && flow.length > 0);
      const tab = 'example-tab';
      const nodes = flow.map((n) => (n.type === 'kpn-things-config' ? n : { ...n, z: tab }));
      await helper.load([...allNodes, ...core], [{ id: tab, type: 'tab' }, ...nodes]);
      for (const n of flow) {
        if (n.type === 'tab' || n.type === 'group') continue;
        assert.ok(helper.getNode(n.id), `${n.type} ${n.id} did not start`);
      }
      const text = JSON.stringify(flow);
      assert.ok(!/clientSecret"\s*:\s*"(?!\$\{)/.test(text), 'no literal secret in an example');
    });
  }
});
