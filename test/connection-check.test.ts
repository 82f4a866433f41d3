import { strict as assert } from 'node:assert';
import type { NodeAPI } from 'node-red';
import { TokenRegistry } from '../lib/auth/token-registry';
import { GripAuthError, ThingsApiError, ThingsNetworkError, ThingsTimeoutError } from '../lib/errors';
import type { Simulator } from '../lib/simulator/types';
import { ValidationError } from '../lib/validate';
import { registerAdminRoutes } from '../nodes/kpn-things-config/admin';
import {
  SECRET_PLACEHOLDER,
  mapLimit,
  pickCustomers,
  pickDevices,
  pickerCallOptions,
  problemReply,
  resolveEnv,
  scrub,
  testClientOptions,
  testConnection,
} from '../nodes/kpn-things-config/connection-check';
import { clientFor, withSimulator } from './support/sim';
import { ThingsClient } from '../lib/client';

const env: Record<string, string> = { TENANT: 'tenant-from-env', SECRET: 's3cret-from-env' };
const lookup = (name: string): string | undefined => env[name];

describe('connection check (admin endpoint logic)', () => {
  describe('resolveEnv', () => {
    it('replaces ${NAME} and $(NAME) only as the whole value', () => {
      assert.equal(resolveEnv('${TENANT}', lookup), 'tenant-from-env');
      assert.equal(resolveEnv('$(TENANT)', lookup), 'tenant-from-env');
      assert.equal(resolveEnv(' ${TENANT} ', lookup), 'tenant-from-env');
      assert.equal(resolveEnv('x${TENANT}', lookup), 'x${TENANT}');
      assert.equal(resolveEnv('${UNSET}', lookup), '${UNSET}');
      assert.equal(resolveEnv(5, lookup), 5);
    });
  });

  describe('testClientOptions', () => {
    const form = { tenantId: '${TENANT}', apiUrl: 'http://127.0.0.1:1', proxy: 'none', timeout: '300' };

    it('uses typed credentials, resolving environment references', () => {
      const options = testClientOptions({ ...form, clientId: 'id', clientSecret: '${SECRET}' }, {}, lookup);
      assert.equal(options.tenantId, 'tenant-from-env');
      assert.equal(options.clientId, 'id');
      assert.equal(options.clientSecret, 's3cret-from-env');
      assert.equal(options.proxy, 'none');
      assert.equal(options.timeoutMs, 20_000, 'a test is capped at 20 s');
      assert.equal(options.retry?.maxRetries, 1);
    });

    it('falls back to the stored credentials for a blank field or the password placeholder', () => {
      const stored = { clientId: 'stored-id', clientSecret: 'stored-secret' };
      for (const clientSecret of [SECRET_PLACEHOLDER, '', '   ', undefined]) {
        const options = testClientOptions({ ...form, clientId: '', clientSecret }, stored, lookup);
        assert.equal(options.clientId, 'stored-id');
        assert.equal(options.clientSecret, 'stored-secret');
      }
      const typed = testClientOptions({ ...form, clientSecret: 'typed' }, stored, lookup);
      assert.equal(typed.clientSecret, 'typed');
    });

    it('ignores values of the wrong type from the network', () => {
      const options = testClientOptions({ tenantId: { evil: true }, clientSecret: ['x'] }, undefined, lookup);
      assert.equal(options.tenantId, '');
      assert.equal(options.clientSecret, '');
    });
  });

  describe('problemReply', () => {
    it('GRIP refusals keep the hint and lose the secret', () => {
      const err = new GripAuthError(
        { title: 'GRIP token request failed', status: 401, detail: 'said: my-secret-1 is wrong' },
        'grip.credentials-wrong',
      );
      const texts: Record<string, string> = {
        'kpn-things.hints.grip.credentials-wrong': 'The API key id or secret is wrong.',
      };
      const reply = problemReply(err, ['my-secret-1'], (key) => texts[key] ?? key);
      assert.equal(reply.httpStatus, 502);
      assert.equal(reply.body.status, 401);
      assert.equal(reply.body.hint, 'The API key id or secret is wrong.');
      // Without a catalogue text the code is shown, never an empty hint.
      assert.equal(problemReply(err).body.hint, 'grip.credentials-wrong');
      assert.ok(!JSON.stringify(reply).includes('my-secret-1'));
    });

    it('maps kinds to admin statuses, never passing a 401 on', () => {
      assert.equal(problemReply(new ThingsApiError({ title: 'Unauthorized', status: 401 })).httpStatus, 502);
      assert.equal(problemReply(new ThingsApiError({ title: 'Too many', status: 429 })).body.status, 429);
      assert.equal(problemReply(new ThingsNetworkError('refused', 'ECONNREFUSED')).httpStatus, 502);
      assert.equal(problemReply(new ThingsTimeoutError('slow')).httpStatus, 504);
      const invalid = new ValidationError({
        field: 'customerId',
        code: 'invalid_uuid',
        value: 'x',
        problem: 'is not a UUID',
        hint: 'use a UUID.',
      });
      assert.equal(problemReply(invalid).httpStatus, 400);
      assert.equal(problemReply(new Error('boom')).httpStatus, 500);
    });

    it('scrub leaves short strings alone (no redaction of every "a")', () => {
      assert.equal(scrub('abc secret abc', ['secret', 'a', undefined]), 'abc [redacted] abc');
    });
  });

  describe('mapLimit', () => {
    it('keeps order and never runs more than the limit at once', async () => {
      let running = 0;
      let peak = 0;
      const out = await mapLimit([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 5, async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5 + (n % 3)));
        running--;
        return n * 2;
      });
      assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
      assert.equal(peak, 5);
      assert.deepEqual(await mapLimit([], 5, async () => 1), []);
    });

    it('rejects with the first failure and starts no new work after it', async () => {
      const started: number[] = [];
      await assert.rejects(
        mapLimit([1, 2, 3, 4, 5, 6, 7, 8], 2, async (n) => {
          started.push(n);
          if (n === 2) throw new Error('no');
          await new Promise((resolve) => setTimeout(resolve, 5));
          return n;
        }),
        /no/,
      );
      assert.ok(started.length <= 3);
    });
  });

  describe('against the simulator', () => {
    let sim: Simulator;
    before(async () => {
      sim = await withSimulator({ deviceCount: 7, customerCount: 2 });
    });
    after(() => sim.close());

    it('testConnection: ok with the count, and closes its client', async () => {
      let made: ThingsClient | undefined;
      const result = await testConnection(() => (made = clientFor(sim)), [sim.credentials.clientSecret]);
      assert.deepEqual(result, { ok: true, devices: 7, more: false });
      assert.ok(made?.closed);
    });

    it('testConnection: a constructor failure becomes ok:false', async () => {
      const result = await testConnection(
        () => new ThingsClient({ tenantId: 't', clientId: '', clientSecret: '' }),
        [],
      );
      assert.equal(result.ok, false);
    });

    it('pickDevices and pickCustomers', async () => {
      const client = clientFor(sim);
      try {
        const devices = await pickDevices(client, undefined);
        assert.deepEqual(devices.map((d) => d.devEUI).sort(), [...sim.devEUIs()].sort());
        const customers = await pickCustomers(client, ['']);
        assert.equal(customers.length, 2);
      } finally {
        await client.close();
      }
    });

    it('pickerCallOptions validates the customer id', () => {
      assert.deepEqual(pickerCallOptions(undefined), {});
      assert.equal(pickerCallOptions(sim.customers[0].id).customerId, sim.customers[0].id);
      assert.throws(() => pickerCallOptions('nope'), /customerId/);
    });
  });

  describe('registerAdminRoutes', () => {
    it('adds its routes once per admin app, however often the module runs', () => {
      const routes: string[] = [];
      const fakeApp = {
        post: (path: string) => routes.push(`POST ${path}`),
        get: (path: string) => routes.push(`GET ${path}`),
      };
      const permissions: string[] = [];
      const red = {
        httpAdmin: fakeApp,
        auth: {
          needsPermission: (p: string) => {
            permissions.push(p);
            return () => undefined;
          },
        },
        nodes: { getNode: () => null },
        util: {},
      } as unknown as NodeAPI;
      registerAdminRoutes(red, new TokenRegistry());
      registerAdminRoutes(red, new TokenRegistry());
      assert.deepEqual(routes, [
        'POST /kpn-things/test-connection',
        'GET /kpn-things/config/:id/devices',
        'GET /kpn-things/config/:id/customers',
      ]);
      assert.deepEqual(permissions.sort(), ['kpn-things-config.read', 'kpn-things-config.write']);
      // A new runtime (a new admin app) gets its own routes.
      registerAdminRoutes({ ...red, httpAdmin: { ...fakeApp } } as unknown as NodeAPI, new TokenRegistry());
      assert.equal(routes.length, 6);
    });
  });
});
