/**
 * The request pipeline and the error model of lib/: the one retry executor (fake timers), the GRIP
 * token fetch through it (a scripted requester), the token registry, the one problem-details
 * function with its hint codes (and their catalogue texts), and the documented wire details
 * (3xx on any endpoint, Accept headers, the legacy context switch) against the simulator.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { TokenProvider, type TokenRequester } from '../lib/auth/token-provider';
import { TokenRegistry } from '../lib/auth/token-registry';
import { ENDPOINTS, MEDIA_TYPES } from '../lib/endpoints';
import {
  GripAuthError,
  ThingsAbortError,
  ThingsApiError,
  ThingsError,
  ThingsNetworkError,
  ValidationError,
  problemDetails,
  type HintCode,
} from '../lib/errors';
import type { HttpResponse } from '../lib/http/transport';
import { betaQueryFrom, deviceIdOf, lookupDevEUI } from '../lib/resources/devices';
import { DEFAULT_RETRY_POLICY, runWithRetry, type AttemptResult, type RetryPolicy } from '../lib/retry';
import type { Simulator } from '../lib/simulator/types';
import { pickDevices } from '../nodes/kpn-things-config/connection-check';
import { clientFor, withSimulator } from './support/sim';

const POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };

function transient(status = 503): ThingsError {
  return new ThingsApiError({ title: 'Service unavailable', status });
}

describe('the retry executor', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('retries with backoff until success, counting retries', async () => {
    const outcomes: AttemptResult<string>[] = [
      { ok: false, error: transient(), retry: true },
      { ok: false, error: transient(), retry: true },
      { ok: true, value: 'done' },
    ];
    const delays: number[] = [];
    const run = runWithRetry(async () => outcomes.shift() as AttemptResult<string>, {
      policy: POLICY,
      random: () => 0,
      onRetry: (_error, delayMs) => delays.push(delayMs),
    });
    await clock.runAllAsync();
    assert.deepEqual(await run, { value: 'done', retries: 2 });
    assert.deepEqual(delays, [50, 100], 'full jitter from half the exponential step');
  });

  it('waits exactly Retry-After, and not at all for an immediate retry', async () => {
    const outcomes: AttemptResult<number>[] = [
      { ok: false, error: transient(429), retry: true, retryAfterMs: 2_000 },
      { ok: false, error: transient(401), retry: true, immediate: true },
      { ok: true, value: 1 },
    ];
    const delays: number[] = [];
    const run = runWithRetry(async () => outcomes.shift() as AttemptResult<number>, {
      policy: POLICY,
      onRetry: (_error, delayMs) => delays.push(delayMs),
    });
    await clock.tickAsync(1_999);
    assert.equal(outcomes.length, 2, 'still waiting out Retry-After');
    await clock.tickAsync(1);
    assert.equal((await run).retries, 2);
    assert.deepEqual(delays, [2_000, 0]);
  });

  it('gives up at once on a final failure, and when the policy says stop', async () => {
    const final = transient(400);
    await assert.rejects(
      runWithRetry(async () => ({ ok: false, error: final, retry: false }), { policy: POLICY }),
      (err: unknown) => err === final && final.retries === 0,
    );
    let attempts = 0;
    const run = runWithRetry(
      async () => {
        attempts++;
        return { ok: false, error: transient(), retry: true };
      },
      { policy: { ...POLICY, maxRetries: 2 } },
    );
    const settled = assert.rejects(run, (err: unknown) => err instanceof ThingsApiError && err.retries === 2);
    await clock.runAllAsync();
    await settled;
    assert.equal(attempts, 3);
    // Retry-After beyond the cap, or past the deadline: no wait at all.
    await assert.rejects(
      runWithRetry(async () => ({ ok: false, error: transient(), retry: true, retryAfterMs: 120_000 }), {
        policy: POLICY,
      }),
      ThingsApiError,
    );
    await assert.rejects(
      runWithRetry(async () => ({ ok: false, error: transient(), retry: true, retryAfterMs: 5_000 }), {
        policy: { ...POLICY, deadlineMs: 4_000 },
      }),
      ThingsApiError,
    );
  });

  it('an abort during a wait ends the run with a ThingsAbortError carrying the retries', async () => {
    const abort = new AbortController();
    const run = runWithRetry(
      async () => ({ ok: false, error: transient(), retry: true, retryAfterMs: 10_000 }),
      {
        policy: POLICY,
        signals: [undefined, abort.signal],
      },
    );
    const settled = assert.rejects(
      run,
      (err: unknown) => err instanceof ThingsAbortError && err.retries === 1,
    );
    await clock.tickAsync(100);
    abort.abort();
    await settled;
  });
});

/** A requester that answers token requests from a script; records the signals it was given. */
function scripted(answers: (HttpResponse | Error)[], policy: RetryPolicy = POLICY) {
  const signals: (AbortSignal | undefined)[] = [];
  const requester: TokenRequester = {
    policy,
    post: async (_url, _headers, _body, signal) => {
      signals.push(signal);
      const answer = answers.shift();
      if (!answer) throw new Error('no more scripted answers');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { requester, signals };
}

const reply = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

function provider(now?: () => number): TokenProvider {
  return new TokenProvider({
    tokenUrl: 'http://127.0.0.1:1/token',
    applicationId: 'app',
    clientId: 'id',
    clientSecret: 'the-secret-value',
    ...(now ? { now } : {}),
  });
}

describe('the GRIP token fetch', () => {
  const messages: [string, HintCode][] = [
    ['Feature user does not exist anymore.', 'grip.credentials-wrong'],
    ['Feature service does not exist anymore.', 'grip.service-missing'],
    ['SAML request error: "idpId" not found.', 'grip.tenant-wrong'],
  ];
  for (const status of [200, 400, 401, 500, 503]) {
    it(`recognises GRIP's three messages in a ${status} answer, without retrying`, async () => {
      for (const [text, hint] of messages) {
        const { requester } = scripted([reply(status, { message: text })]);
        const tokens = provider();
        const err = await tokens.getToken(requester).then(
          () => assert.fail('should fail'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof GripAuthError, String(err));
        assert.equal(err.hint, hint);
        assert.equal(tokens.fetches, 1);
        assert.ok(!JSON.stringify(problemDetails(err)).includes('the-secret-value'));
      }
    });
  }

  it('a 2xx answer without a token is a clear error', async () => {
    const { requester } = scripted([reply(200, { token_type: 'Bearer' })]);
    const err = await provider()
      .getToken(requester)
      .then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof GripAuthError);
    assert.equal(err.hint, 'grip.no-token');
    assert.equal(err.title, 'GRIP token response unreadable');
  });

  it('retries an outage by the caller policy through the executor, then succeeds', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const { requester } = scripted([
        new ThingsNetworkError('refused', 'ECONNREFUSED'),
        reply(503, 'busy'),
        reply(200, { access_token: 'tok', expires_in: 3600 }),
      ]);
      const tokens = provider(() => clock.now);
      const got = tokens.getToken(requester);
      await clock.runAllAsync();
      assert.equal(await got, 'tok');
      assert.equal(tokens.fetches, 3);
    } finally {
      clock.restore();
    }
  });

  it('honours the caller abort signal: the fetch gets it, and a wait between attempts ends', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const { requester, signals } = scripted([reply(503, 'busy'), reply(503, 'busy')]);
      const abort = new AbortController();
      const got = provider(() => clock.now).getToken(requester, abort.signal);
      const settled = assert.rejects(got, ThingsAbortError);
      await clock.tickAsync(10);
      abort.abort();
      await settled;
      assert.equal(signals[0], abort.signal, 'the caller signal reaches the token request');
      assert.equal(signals.length, 1, 'no attempt after the abort');
    } finally {
      clock.restore();
    }
  });

  it('stops retrying at the caller deadline', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const { requester } = scripted([reply(503, 'busy'), reply(503, 'busy'), reply(503, 'busy')], {
        ...POLICY,
        maxRetries: 5,
        deadlineMs: 50,
        baseDelayMs: 200,
      });
      const tokens = provider(() => clock.now);
      const got = tokens.getToken(requester);
      const settled = assert.rejects(
        got,
        (e: unknown) => e instanceof GripAuthError && e.hint === 'grip.unavailable',
      );
      await clock.runAllAsync();
      await settled;
      assert.equal(tokens.fetches, 1);
    } finally {
      clock.restore();
    }
  });

  it('holds the 429 pause per credential, on the injectable clock', () => {
    let now = 1_000;
    const tokens = provider(() => now);
    assert.equal(tokens.pausedFor(), 0);
    tokens.pauseFor(2_000);
    now += 500;
    assert.equal(tokens.pausedFor(), 1_500);
    now += 1_500;
    assert.equal(tokens.pausedFor(), 0);
  });
});

describe('the token registry', () => {
  const options = {
    tokenUrl: 'http://127.0.0.1:1/token',
    applicationId: 'app',
    clientId: 'id',
    clientSecret: 's',
  };

  it('one provider per credential within a registry, none shared between registries', () => {
    const one = new TokenRegistry();
    const a = one.acquire(options);
    const b = one.acquire({ ...options });
    const c = one.acquire({ ...options, clientSecret: 'other' });
    assert.equal(a.provider, b.provider);
    assert.notEqual(a.provider, c.provider);
    assert.notEqual(new TokenRegistry().acquire(options).provider, a.provider);
    a.release();
    a.release();
    assert.equal(one.size, 2);
    b.release();
    c.release();
    assert.equal(one.size, 0, 'unused providers without a token are forgotten');
  });
});

describe('problem details with hint codes', () => {
  it('one function for every error: validation, API, GRIP, anything else', () => {
    const invalid = new ValidationError({
      field: 'port',
      code: 'invalid_port',
      value: 0,
      problem: 'is 0',
      fix: 'use 1-223.',
    });
    assert.ok(invalid instanceof ThingsError);
    assert.deepEqual(problemDetails(invalid), {
      type: 'urn:thingsflow:kpn-things:problem:invalid-input',
      title: 'Invalid input',
      status: 400,
      detail: 'port is 0; use 1-223.',
      field: 'port',
      code: 'invalid_port',
      hint: 'input.invalid_port',
      hintParams: { field: 'port' },
    });
    assert.equal(
      problemDetails(new ThingsApiError({ title: 'Forbidden', status: 403 })).hint,
      'api.forbidden',
    );
    assert.equal(problemDetails(new ThingsApiError({ title: 'Conflict', status: 409 })).hint, undefined);
    assert.equal(problemDetails(new Error('boom')).hint, 'unexpected');
  });

  it('lib/ holds no user-facing advice: no "config node" outside comments', () => {
    const root = path.join(__dirname, '..', '..', 'lib');
    const files = ['client.ts', 'errors.ts', 'retry.ts', 'validate.ts', 'endpoints.ts', 'http/transport.ts']
      .concat(fs.readdirSync(path.join(root, 'auth')).map((f) => `auth/${f}`))
      .concat(fs.readdirSync(path.join(root, 'resources')).map((f) => `resources/${f}`));
    for (const file of files) {
      const code = fs
        .readFileSync(path.join(root, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      assert.ok(!/config node/i.test(code), `${file} mentions the config node`);
    }
  });

  // Exhaustive by type: a new hint code does not compile until it is listed here.
  const ALL_HINTS: Record<HintCode, true> = {
    'grip.credentials-wrong': true,
    'grip.service-missing': true,
    'grip.tenant-wrong': true,
    'grip.refused': true,
    'grip.token-url': true,
    'grip.no-token': true,
    'grip.unavailable': true,
    'api.unauthorized': true,
    'api.forbidden': true,
    'api.not-found': true,
    'api.rate-limited': true,
    'api.server': true,
    network: true,
    timeout: true,
    aborted: true,
    'response.malformed': true,
    'response.too-large': true,
    'response.foreign-link': true,
    'input.invalid_deveui': true,
    'input.invalid_payload': true,
    'input.empty_payload': true,
    'input.payload_too_large': true,
    'input.invalid_port': true,
    'input.invalid_uuid': true,
    'input.invalid_datetime': true,
    'input.invalid_limit': true,
    'input.invalid_external_reference': true,
    'input.invalid_senml': true,
    'input.invalid_query': true,
    'input.invalid_method': true,
    'input.invalid_path': true,
    'input.invalid_media_type': true,
    'input.invalid_certificate': true,
    'input.missing_setting': true,
    unexpected: true,
  };

  for (const lang of ['en-US', 'nl']) {
    it(`every hint code has a text in the ${lang} catalogue`, () => {
      const file = path.join(__dirname, '..', '..', 'nodes', 'shared', 'locales', lang, 'common.json');
      const catalogue = JSON.parse(fs.readFileSync(file, 'utf8')) as { 'kpn-things': { hints: unknown } };
      for (const code of Object.keys(ALL_HINTS)) {
        let node: unknown = catalogue['kpn-things'].hints;
        for (const part of code.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
        assert.equal(typeof node, 'string', `${lang} lacks kpn-things.hints.${code}`);
        assert.ok((node as string).length > 10);
      }
    });
  }

  it('the GRIP hints say what the documentation says', () => {
    const file = path.join(__dirname, '..', '..', 'nodes', 'shared', 'locales', 'en-US', 'common.json');
    const hints = (
      JSON.parse(fs.readFileSync(file, 'utf8')) as {
        'kpn-things': { hints: { grip: Record<string, string> } };
      }
    )['kpn-things'].hints.grip;
    assert.match(
      hints['service-missing'],
      /Add the KPN Things Portal service to your API key in the GRIP portal/,
    );
    assert.match(hints['tenant-wrong'], /KPN Things Portal.*Customer Details.*MijnKPN Zakelijk/);
    assert.match(hints['credentials-wrong'], /API key id or secret is wrong/);
  });
});

describe('device shapes and the beta query (lib/resources)', () => {
  it('reads uuid wherever id is read', () => {
    assert.equal(deviceIdOf({ id: 'a' }), 'a');
    assert.equal(deviceIdOf({ uuid: 'b' }), 'b');
    assert.equal(deviceIdOf({ id: '', uuid: 'c' }), 'c');
    assert.equal(deviceIdOf({}), undefined);
  });

  it('translates a current-API query; a sort with more than one key is an error that says so', () => {
    assert.deepEqual(betaQueryFrom({ q: 'x', limit: 5, sort: '-name' }), {
      search: 'x',
      pageSize: 5,
      sortBy: 'name',
      sortOrder: 'DESC',
    });
    assert.throws(
      () => betaQueryFrom({ sort: '-createdAt,name' }),
      (e: unknown) =>
        e instanceof ValidationError && e.field === 'sort' && /2 sort keys.*one field only/.test(e.message),
    );
    assert.throws(() => betaQueryFrom({ clientId: 'x' }), /not supported by the beta API/);
  });
});

describe('wire details against the simulator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await withSimulator({ deviceCount: 3 });
  });
  afterEach(async () => sim.close());

  it('a 3xx on the current API is a bad token: one refresh, one retry, never followed', async () => {
    const client = clientFor(sim, { tokens: new TokenRegistry() });
    try {
      await client.authenticate();
      sim.inject({ route: 'GET /devices', status: 302, times: 1 });
      const res = await client.call(ENDPOINTS.listDevices);
      assert.equal(res.status, 200);
      assert.equal(res.retries, 1);
      assert.equal(sim.requestsFor('POST /token').length, 2);
      sim.inject({ route: 'GET /devices', status: 307 });
      const err = await client.call(ENDPOINTS.listDevices).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ThingsApiError);
      assert.equal(err.status, 401);
      assert.equal(err.hint, 'api.unauthorized');
      assert.match(err.detail ?? '', /307/);
    } finally {
      await client.close();
    }
  });

  it('a 429 pauses every client of the credential (the pause lives in the shared registry entry)', async () => {
    const tokens = new TokenRegistry();
    const first = clientFor(sim, { tokens });
    const second = clientFor(sim, { tokens });
    const other = clientFor(sim, { tokens: new TokenRegistry() });
    try {
      await Promise.all([first.authenticate(), second.authenticate(), other.authenticate()]);
      sim.inject({ route: 'GET /devices', status: 429, retryAfter: '1', times: 1 });
      const paused = first.call(ENDPOINTS.listDevices);
      await new Promise((resolve) => setTimeout(resolve, 100));
      sim.clearRequests();
      const waiting = second.call(ENDPOINTS.listDevices);
      await other.call(ENDPOINTS.listDevices);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(sim.requestsFor('GET /devices').length, 1, 'only the client of another registry went out');
      await Promise.all([paused, waiting]);
      assert.equal(sim.requestsFor('GET /devices').length, 3);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  it('close() ends a call that runs on the caller signal alone (no extra controller per call)', async () => {
    const client = clientFor(sim, { tokens: new TokenRegistry() });
    await client.authenticate();
    sim.inject({ route: 'GET /devices', latencyMs: 3_000 });
    const caller = new AbortController();
    const pending = assert.rejects(
      client.call(ENDPOINTS.listDevices, { signal: caller.signal }),
      ThingsAbortError,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await client.close();
    await pending;
    assert.ok(Date.now() - started < 1_000);
    assert.equal(caller.signal.aborted, false, "the caller's signal is not touched");
  });

  it('current-API calls accept problem+json; the legacy context switch sends JSON headers', async () => {
    const customerId = sim.customers[0].id;
    const client = clientFor(sim, { contextMode: 'legacy', tokens: new TokenRegistry() });
    try {
      await client.call(ENDPOINTS.listDevices, { customerId });
      const list = sim.requestsFor('GET /devices').at(-1);
      assert.equal(list?.headers.accept, MEDIA_TYPES.jsonOrProblem);
      const switched = sim.requests.find((r) => /context-switch/.test(r.route));
      assert.ok(switched, 'a context switch was made');
      assert.equal(switched.headers['content-type'], 'application/json');
      assert.equal(switched.headers.accept, 'application/json');
    } finally {
      await client.close();
    }
  });

  it('the DevEUI lookup: the device field when present, "unknown" for a failed lookup, the picker stands', async () => {
    const client = clientFor(sim, { tokens: new TokenRegistry(), retry: { maxRetries: 0 } });
    try {
      assert.deepEqual(await lookupDevEUI(client, { uuid: 'x', devEui: '00-11-22-33-44-55-66-77' }), {
        devEUI: '0011223344556677',
      });
      assert.equal(sim.requestsFor('GET /devices/{id}/network-adapters').length, 0, 'no lookup needed');
      sim.inject({ route: 'GET /devices/{id}/network-adapters', status: 500, times: 1 });
      const choices = await pickDevices(client, undefined);
      assert.equal(choices.length, 3);
      assert.equal(choices.filter((c) => c.devEUIUnknown).length, 1, 'one device unknown');
      assert.equal(choices.filter((c) => typeof c.devEUI === 'string').length, 2, 'the others listed');
    } finally {
      await client.close();
    }
  });
});
