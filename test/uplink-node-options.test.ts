/** kpn-things-uplink's pure parts: settings -> receiver options, the route's life on an express app. */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSettings, migrate } from '../nodes/shared/schema';
import { prepareReceiver, publicPath, recentIdsKeyPrefix } from '../nodes/kpn-things-uplink/receiver-options';
import {
  layersAt,
  mountRoute,
  PathTakenError,
  routeKey,
  type NodeApp,
} from '../nodes/kpn-things-uplink/route';
import { uplinkPath, uplinkSchema, type UplinkSettings } from '../nodes/kpn-things-uplink/schema';
import { ReportLimiter } from '../nodes/kpn-things-uplink/uplink-status';

const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const settings = (extra: Record<string, unknown> = {}): UplinkSettings =>
  migrate(uplinkSchema, { type: 'kpn-things-uplink', ...extra }) as unknown as UplinkSettings;

describe('kpn-things-uplink options', () => {
  it('has defaults that check clean and give POST, 256 KiB, senml, pack, drop', () => {
    const s = settings();
    assert.equal(checkSettings(uplinkSchema, s as unknown as Record<string, unknown>), undefined);
    const { options, warnings, path } = prepareReceiver(s, { sharedSecret: SECRET });
    assert.deepEqual(warnings, []);
    assert.equal(path, '/kpn-things/uplink');
    assert.deepEqual(options?.methods, ['POST']);
    assert.equal(options?.maxBodyBytes, 256 * 1024);
    assert.equal(options?.expect, 'senml');
    assert.equal(options?.split, 'pack');
    assert.equal(options?.duplicates, 'drop');
    assert.deepEqual(options?.auth, { type: 'none' });
  });

  it('refuses bad literal settings, naming the field', () => {
    for (const [name, value] of [
      ['url', '/a b'],
      ['url', '/x?y=1'],
      ['maxBody', '0'],
      ['maxBody', 'lots'],
      ['recentIdsStore', 'my.store'],
    ] as const) {
      const wrong = checkSettings(
        uplinkSchema,
        settings({ [name]: value }) as unknown as Record<string, unknown>,
      );
      assert.ok(wrong, `${name}=${value} refused`);
      assert.equal((wrong as { field?: string }).field, name);
    }
    const header = settings({ auth: 'header', authHeader: 'X API' });
    assert.equal(
      (checkSettings(uplinkSchema, header as unknown as Record<string, unknown>) as { field?: string }).field,
      'authHeader',
    );
  });

  it('warns (does not refuse) a secret that breaks KPN rules, without repeating it', () => {
    const weak = 'weakling-secret';
    const prepared = prepareReceiver(settings(), { sharedSecret: weak, previousSecret: 'alsoweak' });
    assert.ok(prepared.options, 'still serves');
    assert.ok(prepared.warnings.some((w) => w.startsWith('sharedSecret:')));
    assert.ok(prepared.warnings.some((w) => w.startsWith('previousSecret:')));
    assert.ok(!prepared.warnings.join(' ').includes(weak));
    assert.ok(!prepared.warnings.join(' ').includes('alsoweak'));
  });

  it('stops without a secret, or without the credential of the chosen auth method', () => {
    assert.match(prepareReceiver(settings(), {}).error ?? '', /^sharedSecret is missing/);
    assert.match(
      prepareReceiver(settings({ auth: 'bearer' }), { sharedSecret: SECRET }).error ?? '',
      /^authSecret/,
    );
    const basic = prepareReceiver(settings({ auth: 'basic' }), {
      sharedSecret: SECRET,
      authUser: 'kpn',
      authSecret: 'pw',
    });
    assert.deepEqual(basic.options?.auth, { type: 'basic', username: 'kpn', password: 'pw' });
    const header = prepareReceiver(settings({ auth: 'header', authHeader: 'X-Key' }), {
      sharedSecret: SECRET,
      authSecret: 'k',
    });
    assert.deepEqual(header.options?.auth, { type: 'header', name: 'X-Key', value: 'k' });
  });

  it('normalises paths, joins httpNodeRoot, and makes context-safe key prefixes', () => {
    assert.equal(uplinkPath('kpn/up/'), '/kpn/up');
    assert.equal(publicPath('/red/', '/kpn/up'), '/red/kpn/up');
    assert.equal(publicPath(undefined, '/kpn/up'), '/kpn/up');
    assert.doesNotMatch(recentIdsKeyPrefix('/a.b/[c]'), /[.[\]]/);
    assert.equal(routeKey('/KPN/Up/'), '/kpn/up');
  });

  it('limits reports per window and counts what it left out', () => {
    let now = 0;
    const limiter = new ReportLimiter(2, 1000, () => now);
    assert.deepEqual(
      [limiter.take(), limiter.take(), limiter.take()].map((r) => r.report),
      [true, true, false],
    );
    now = 1000;
    assert.deepEqual(limiter.take(), { report: true, suppressed: 1 });
  });
});

describe('kpn-things-uplink route', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require('express') as typeof import('express');

  async function get(server: http.Server, path: string): Promise<number> {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: '[]' });
    await res.text();
    return res.status;
  }

  it("removes only its own layers, not another route's on the same path", async () => {
    const app = express();
    const core = (_req: unknown, res: http.ServerResponse): void => void res.writeHead(204).end();
    const ours = (_req: unknown, res: http.ServerResponse): void => void res.writeHead(200).end();
    app.post('/other', core);
    const route = mountRoute(app as unknown as NodeApp, '/other', 'n1', ours);
    assert.equal(layersAt(app as unknown as NodeApp, '/other'), 2);
    route.remove();
    route.remove();
    assert.equal(layersAt(app as unknown as NodeApp, '/other'), 1, "the core node's route stays");
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      assert.equal(await get(server, '/other'), 204);
    } finally {
      server.close();
    }
  });

  it('gives one path one owner (case and trailing slash ignored), free again after remove', () => {
    const app = express() as unknown as NodeApp;
    const handler = (): void => undefined;
    const first = mountRoute(app, '/kpn/up', 'n1', handler);
    assert.throws(() => mountRoute(app, '/KPN/up/', 'n2', handler), PathTakenError);
    first.remove();
    mountRoute(app, '/kpn/up', 'n2', handler).remove();
  });
});
