import { strict as assert } from 'node:assert';
import type { Simulator } from '../lib/simulator/types';
import type { ThingsClient, ThingsResponse } from '../lib/client';
import { MEDIA_TYPES } from '../lib/endpoints';
import { ThingsApiError, ThingsError } from '../lib/errors';
import { collect, firstPage } from '../lib/pagination';
import {
  checkPathTemplate,
  DEFAULT_ACCEPT,
  mediaRange,
  mediaType,
  knownPaths,
  prepareRequest,
  runRequest,
  wireSpec,
  type RequestInput,
  type WireRequestSpec,
} from '../lib/resources/request';
import { ValidationError } from '../lib/validate';
import { clientFor, withSimulator } from './support/sim';

const API = 'https://api.kpnthings.com';

function fails(input: Partial<RequestInput>, field: string, pattern: RegExp, apiUrl = API): void {
  assert.throws(
    () => prepareRequest({ method: 'GET', path: '/devices', ...input }, apiUrl),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.field, field);
      assert.match(err.message, pattern);
      return true;
    },
    JSON.stringify(input),
  );
}

describe('generic request (lib/resources/request)', function () {
  describe('prepareRequest', function () {
    it('takes the five methods in any case and refuses others, naming the field', function () {
      for (const method of ['get', 'POST', 'Put', 'patch', 'DELETE ']) {
        assert.equal(prepareRequest({ method, path: '/devices' }, API).method, method.trim().toUpperCase());
      }
      fails({ method: 'HEAD' }, 'method', /not a supported method.*GET, POST, PUT, PATCH, DELETE/);
      assert.throws(
        () => prepareRequest({ method: 'HEAD', path: '/x' }, API),
        (err: unknown) => err instanceof ValidationError && err.hint === 'input.invalid_method',
      );
      assert.throws(
        () => prepareRequest({ method: 'GET', path: 'https://evil.example/x' }, API),
        (err: unknown) => err instanceof ValidationError && err.hint === 'input.invalid_path',
      );
      fails({ method: undefined }, 'method', /missing/);
    });

    it('fills {{name}} parts from the values, URL-encoded', function () {
      const values = { msg: { deviceId: 'a b/c?d', n: 7, payload: { id: 'x' } } };
      const prepared = prepareRequest(
        { method: 'GET', path: '/devices/{{msg.deviceId}}/x/{{ msg.n }}/{{msg.payload.id}}', values },
        API,
      );
      assert.equal(prepared.path, '/devices/a%20b%2Fc%3Fd/x/7/x');
      fails(
        { path: '/devices/{{msg.deviceId}}', values: { msg: {} } },
        'path',
        /\{\{msg.deviceId\}\}.*not set/,
      );
      fails({ path: '/devices/{{msg.deviceId}}', values: { msg: { deviceId: {} } } }, 'path', /deviceId/);
      fails({ path: '/devices/{{1+1}}' }, 'path', /not a name/);
      fails({ path: '/devices/{deviceId}' }, 'path', /\{\{msg.deviceId\}\}/);
      fails({ path: '/devices/{{msg.x' }, 'path', /unclosed/);
      fails({ path: '/devices/{{msg.id}}', values: { msg: { id: '..' } } }, 'path', /"\.\."/);
    });

    it('accepts relative paths and absolute URLs on the API host only', function () {
      assert.equal(prepareRequest({ method: 'GET', path: 'devices' }, API).path, '/devices');
      const absolute = prepareRequest({ method: 'GET', path: `${API}/devices?limit=5&sort=name` }, API);
      assert.equal(absolute.path, '/devices');
      assert.deepEqual(absolute.query, { limit: '5', sort: 'name' });
      for (const path of [
        'https://evil.example/devices',
        'http://api.kpnthings.com/devices',
        'https://api.kpnthings.com:8443/devices',
        '//evil.example/devices',
        'ftp://api.kpnthings.com/devices',
      ]) {
        fails({ path }, 'path', /outside the KPN Things API/);
      }
      fails({ path: 'https://user:pw@api.kpnthings.com/devices' }, 'path', /user name or password/);
      fails({ path: '/devices/../clients' }, 'path', /"\." or "\.\." segment/);
      fails({ path: '/devices/%2e%2e/clients' }, 'path', /segment/);
      fails({ path: '/devices list' }, 'path', /spaces/);
      fails({ path: '/devices#top' }, 'path', /fragment/);
      fails({ path: '' }, 'path', /missing/);
      fails({ path: 42 }, 'path', /missing/);
    });

    it('keeps a base path of the API URL', function () {
      const base = 'http://127.0.0.1:9/things';
      assert.equal(prepareRequest({ method: 'GET', path: '/devices' }, base).path, '/devices');
      assert.equal(prepareRequest({ method: 'GET', path: `${base}/devices` }, base).path, '/devices');
      fails({ path: 'http://127.0.0.1:9/other/devices' }, 'path', /outside/, base);
    });

    it('merges the path query, the node query and msg.query, in that order', function () {
      const prepared = prepareRequest(
        {
          method: 'GET',
          path: '/downlinks?a=1&b=2&r=x&r=y',
          query: { b: 3, d: new Date('2025-09-01T00:00:00Z') },
          msgQuery: { c: ['1', 2], a: '' },
        },
        API,
      );
      assert.deepEqual(prepared.query, {
        a: '1',
        b: 3,
        r: ['x', 'y'],
        d: new Date('2025-09-01T00:00:00Z'),
        c: ['1', 2],
      });
      fails({ msgQuery: 'limit=5' }, 'msg.query', /not an object/);
      fails({ msgQuery: { filter: { deep: 1 } } }, 'msg.query.filter', /cannot be sent as a query parameter/);
      fails({ query: { n: Number.NaN } }, 'query.n', /query parameter/);
    });

    it('chooses Accept from the endpoint table, JSON + problem+json otherwise; any media type allowed', function () {
      const accept = (path: string, method = 'GET', given?: string): string =>
        prepareRequest({ method, path, accept: given }, API).accept;
      assert.equal(accept('/api/devices'), MEDIA_TYPES.betaDevice);
      assert.equal(accept('/api/actuator/downlinks', 'POST'), MEDIA_TYPES.betaActuator);
      assert.equal(accept('/devices/x'), DEFAULT_ACCEPT);
      assert.equal(accept('/api/v1/lifecycle/clients/x/context-switch'), MEDIA_TYPES.json);
      assert.equal(accept('/decoders'), DEFAULT_ACCEPT);
      assert.equal(
        accept('/decoders', 'GET', 'text/csv; charset=utf-8, */*;q=0.1'),
        'text/csv; charset=utf-8, */*;q=0.1',
      );
      fails({ accept: 'json please' }, 'accept', /media types/);
    });

    it('sends a body for POST, PUT and PATCH only; JSON by default, JSON text parsed', function () {
      assert.equal(prepareRequest({ method: 'GET', path: '/devices', body: { a: 1 } }, API).body, undefined);
      assert.equal(prepareRequest({ method: 'DELETE', path: '/devices/x', body: 'x' }, API).body, undefined);
      for (const empty of [undefined, '', Buffer.alloc(0)]) {
        const post = prepareRequest({ method: 'POST', path: '/x', body: empty }, API);
        assert.equal(post.body, undefined);
        assert.equal(post.contentType, undefined);
      }
      assert.equal(prepareRequest({ method: 'POST', path: '/x', body: null }, API).body, null);
      const put = prepareRequest({ method: 'PUT', path: '/devices/x', body: '{"name":"n"}' }, API);
      assert.deepEqual(put.body, { name: 'n' });
      assert.equal(put.contentType, 'application/json');
      const patch = prepareRequest({ method: 'PATCH', path: '/devices/x', body: Buffer.from('[1]') }, API);
      assert.deepEqual(patch.body, [1]);
      const post = prepareRequest(
        { method: 'POST', path: '/x', body: { a: [1] }, contentType: 'application/json; charset=utf-8' },
        API,
      );
      assert.deepEqual(post.body, { a: [1] });
      assert.throws(
        () => prepareRequest({ method: 'POST', path: '/x', body: 'not json' }, API),
        (err: unknown) => err instanceof ValidationError && err.field === 'msg.payload',
      );
      // Any media type: the body is sent as its bytes.
      const csv = prepareRequest({ method: 'POST', path: '/x', body: 'a,b', contentType: 'text/csv' }, API);
      assert.equal(csv.rawBody, 'a,b');
      assert.equal(csv.contentType, 'text/csv');
      assert.equal(csv.body, undefined);
      const bytes = prepareRequest(
        { method: 'PUT', path: '/x', body: new Uint8Array([1, 2]), contentType: 'application/octet-stream' },
        API,
      );
      assert.deepEqual(bytes.rawBody, Buffer.from([1, 2]));
      const vendor = prepareRequest(
        { method: 'POST', path: '/x', body: { a: 1 }, contentType: 'application/vnd.x+json' },
        API,
      );
      assert.equal(vendor.rawBody, '{"a":1}');
      assert.deepEqual(wireSpec(csv), {
        method: 'POST',
        path: '/x',
        query: {},
        accept: DEFAULT_ACCEPT,
        api: 'current',
        rawBody: 'a,b',
        contentType: 'text/csv',
      });
      assert.throws(
        () => prepareRequest({ method: 'POST', path: '/x', body: { a: 1 }, contentType: 'text/csv' }, API),
        (err: unknown) => err instanceof ValidationError && err.field === 'msg.payload',
      );
      assert.throws(
        () => prepareRequest({ method: 'POST', path: '/x', body: {}, contentType: 'not a type' }, API),
        (err: unknown) => err instanceof ValidationError && err.field === 'contentType',
      );
    });

    it('marks GET, PUT and DELETE retry-safe, POST and PATCH not (RFC 9110)', function () {
      const safe = (method: string): boolean => prepareRequest({ method, path: '/x' }, API).retrySafe;
      assert.deepEqual(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'].map(safe), [true, true, true, false, false]);
      assert.equal(prepareRequest({ method: 'GET', path: '/api/devices' }, API).api, 'beta');
      assert.equal(prepareRequest({ method: 'GET', path: '/apis' }, API).api, 'current');
    });
  });

  describe('setting checks (editor and start)', function () {
    it('checkPathTemplate: parts count as filled in, absolute URLs wait for the API host', function () {
      for (const ok of ['/devices/{{msg.deviceId}}', 'projects?limit=5', 'https://anywhere.example/x']) {
        checkPathTemplate(ok);
      }
      for (const [bad, pattern] of [
        ['/devices/{{1+1}}', /not a name/],
        ['/devices/{deviceId}', /\{\{msg.deviceId\}\}/],
        ['/devices/../clients', /segment/],
        ['/devices list', /spaces/],
        ['', /missing/],
      ] as const) {
        assert.throws(
          () => checkPathTemplate(bad),
          (err: unknown) =>
            err instanceof ValidationError &&
            err.field === 'path' &&
            err.hint === 'input.invalid_path' &&
            pattern.test(err.message),
          bad,
        );
      }
    });

    it('mediaRange and mediaType name the field they check', function () {
      assert.equal(mediaRange('text/csv, */*;q=0.1'), 'text/csv, */*;q=0.1');
      assert.equal(mediaType(''), MEDIA_TYPES.json);
      assert.equal(mediaType('text/plain; charset=utf-8'), 'text/plain; charset=utf-8');
      assert.throws(
        () => mediaType('text/*', 'contentType'),
        (err: unknown) => err instanceof ValidationError && err.hint === 'input.invalid_media_type',
      );
      assert.throws(
        () => mediaRange('json', 'msg.accept'),
        (err: unknown) => err instanceof ValidationError && err.field === 'msg.accept',
      );
    });
  });

  describe('knownPaths', function () {
    it('lists the endpoint table and the other documented paths, with {{msg.x}} parts, once each', function () {
      const paths = knownPaths();
      const keys = paths.map((p) => `${p.method} ${p.path}`);
      assert.equal(new Set(keys).size, keys.length);
      for (const key of [
        'GET /devices',
        'GET /devices/{{msg.deviceId}}',
        'GET /downlinks',
        'GET /api/devices',
        'POST /api/actuator/downlinks',
        'GET /projects/{{msg.projectId}}',
        'GET /device-groups',
        'GET /lora/bindings',
      ]) {
        assert.ok(keys.includes(key), key);
      }
      assert.ok(
        paths.every((p) => !/(^|[^{])\{\w+\}/.test(p.path)),
        'no single-brace placeholders',
      );
      assert.equal(paths.find((p) => p.path === '/api/devices')?.accept, MEDIA_TYPES.betaDevice);
    });
  });

  describe('against the simulator', function () {
    let sim: Simulator;
    let client: ThingsClient;
    const run = (input: RequestInput, options = {}) =>
      runRequest(client, prepareRequest(input, client.apiUrl), options);

    before(async function () {
      sim = await withSimulator({ deviceCount: 5, customerCount: 1, devicesPerCustomer: 2 });
      client = clientFor(sim);
      await client.authenticate();
    });
    after(async function () {
      await client.close();
      await sim.close();
    });
    afterEach(function () {
      sim.clearFaults();
      sim.clearRequests();
    });

    it('reads one resource with a filled-in path', async function () {
      const [projectId] = sim.projectIds();
      const outcome = await run({
        method: 'GET',
        path: '/projects/{{msg.id}}',
        values: { msg: { id: projectId } },
      });
      assert.equal(outcome.kind, 'response');
      if (outcome.kind !== 'response') return;
      assert.equal(outcome.response.status, 200);
      assert.equal((outcome.response.body as { id: string }).id, projectId);
      assert.equal(sim.requestsFor('GET /projects/{id}')[0].headers.accept, DEFAULT_ACCEPT);
    });

    it('walks cursor pages by their next links', async function () {
      const outcome = await run({
        method: 'GET',
        path: '/devices',
        query: { limit: 2 },
        msgQuery: { sort: 'name' },
      });
      assert.equal(outcome.kind, 'pages');
      if (outcome.kind !== 'pages') return;
      assert.equal(outcome.style, 'cursor');
      const all = await collect(outcome.pages);
      assert.equal(all.pages, 3);
      const names = all.items.map((d) => String((d as { name: string }).name));
      assert.equal(names.length, 5);
      assert.deepEqual(names, [...names].sort());
      assert.equal(sim.requestsFor('GET /devices').length, 3);
    });

    it('walks Spring pages by number until last (beta API, its own Accept)', async function () {
      const outcome = await run({ method: 'GET', path: '/api/devices', query: { pageSize: 2 } });
      assert.equal(outcome.kind, 'pages');
      if (outcome.kind !== 'pages') return;
      assert.equal(outcome.style, 'numbered');
      const all = await collect(outcome.pages);
      assert.equal(all.items.length, 5);
      const sent = sim.requestsFor('GET /api/devices');
      assert.deepEqual(
        sent.map((r) => r.query.currentPage),
        [undefined, '1', '2'],
      );
      assert.ok(sent.every((r) => r.headers.accept === MEDIA_TYPES.betaDevice));
    });

    it('answers one page and resumes from msg.cursor (a next link or a page number)', async function () {
      const outcome = await run({ method: 'GET', path: '/devices?limit=3' });
      assert.equal(outcome.kind, 'pages');
      if (outcome.kind !== 'pages') return;
      const first = await firstPage(outcome.pages);
      assert.ok(first?.next);
      const resumed = await run({ method: 'GET', path: '/devices?limit=3' }, { cursor: String(first.next) });
      assert.equal(resumed.kind, 'pages');
      if (resumed.kind !== 'pages') return;
      const rest = await collect(resumed.pages);
      assert.equal(rest.items.length, 2);
      const page2 = await run({ method: 'GET', path: '/api/devices?pageSize=2' }, { cursor: 2 });
      assert.equal(page2.kind, 'pages');
      if (page2.kind !== 'pages') return;
      const last = await firstPage(page2.pages);
      assert.equal(last?.items.length, 1);
      assert.equal(last?.last, true);
      await assert.rejects(
        run({ method: 'GET', path: '/devices' }, { cursor: 'https://evil.example/devices?cursor=x' }),
        (err: unknown) => err instanceof ValidationError && err.field === 'msg.cursor',
      );
    });

    it('never follows a next link off the API host', async function () {
      const sent: WireRequestSpec[] = [];
      const send = async (spec: WireRequestSpec): Promise<ThingsResponse<unknown>> => {
        sent.push(spec);
        return {
          status: 200,
          headers: {},
          retries: 0,
          url: '',
          body: { items: [1], next: 'https://evil.example/devices?cursor=abc' },
        };
      };
      const outcome = await run({ method: 'GET', path: '/devices' }, { send });
      assert.equal(outcome.kind, 'pages');
      if (outcome.kind !== 'pages') return;
      await assert.rejects(
        collect(outcome.pages),
        (err: unknown) => err instanceof ThingsError && /not on the KPN Things API host/.test(err.message),
      );
      assert.equal(sent.length, 1);
    });

    it('does not paginate with paginate: false, nor anything but GET', async function () {
      const outcome = await run({ method: 'GET', path: '/devices' }, { paginate: false });
      assert.equal(outcome.kind, 'response');
    });

    it('POSTs a JSON body (the beta actuator) and is not retried after a 502', async function () {
      const [eui] = sim.devEUIs();
      const input: RequestInput = {
        method: 'POST',
        path: '/api/actuator/downlinks',
        query: { port: 5, externalReference: 'generic' },
        body: JSON.stringify([{ bn: `urn:dev:DEVEUI:${eui}:`, n: 'payloadHex', vs: '0102' }]),
      };
      const outcome = await run(input);
      assert.equal(outcome.kind, 'response');
      if (outcome.kind !== 'response') return;
      assert.equal(outcome.response.status, 201);
      const recorded = sim.requestsFor('POST /api/actuator/downlinks')[0];
      assert.equal(recorded.headers.accept, MEDIA_TYPES.betaActuator);
      assert.equal(recorded.headers['content-type'], 'application/json');
      assert.equal(recorded.query.externalReference, 'generic');

      sim.clearRequests();
      sim.inject({ route: 'POST /api/actuator/downlinks', status: 502, times: 1 });
      await assert.rejects(run(input), (err: unknown) => err instanceof ThingsApiError && err.status === 502);
      assert.equal(sim.requestsFor('POST /api/actuator/downlinks').length, 1);
    });

    it('sends a raw body of any media type as-is, with its Content-Type', async function () {
      const outcome = await run({
        method: 'POST',
        path: '/decoders',
        body: 'a,b\n1,2',
        contentType: 'text/csv; charset=utf-8',
      }).catch((err: unknown) => err);
      assert.ok(outcome instanceof ThingsApiError && outcome.status === 404, String(outcome));
      const recorded = sim.requests.filter((r) => r.method === 'POST' && r.path === '/decoders')[0];
      assert.equal(recorded.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(recorded.body, 'a,b\n1,2');
    });

    it('retries GET and DELETE after a 502 (idempotent), and passes problem details on', async function () {
      sim.inject({ route: 'GET /projects', status: 502, times: 1 });
      const outcome = await run({ method: 'GET', path: '/projects' });
      assert.equal(outcome.kind, 'pages');
      assert.equal(sim.requestsFor('GET /projects').length, 2);
      sim.clearRequests();
      sim.inject({ route: '*', status: 502, times: 1 });
      await assert.rejects(
        run({ method: 'DELETE', path: '/devices/{{msg.id}}', values: { msg: { id: 'x' } } }),
        (err: unknown) =>
          err instanceof ThingsApiError && err.status === 404 && /No route/.test(String(err.detail)),
      );
      assert.equal(sim.requests.filter((r) => r.method === 'DELETE').length, 2);
    });
  });
});
