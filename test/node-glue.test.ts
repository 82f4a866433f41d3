import { strict as assert } from 'node:assert';
import { clientOptionsFrom } from '../nodes/kpn-things-config/options';
import { shortStatus, toProblem, hasHttpStatus } from '../nodes/shared/problem';
import { callOptionsFrom } from '../nodes/shared/action-node';
import { queryFromMsg } from '../nodes/shared/list-output';
import { GripAuthError, PROBLEM_TYPES, ThingsApiError, ThingsNetworkError } from '../lib/errors';
import { ValidationError, normalizeDevEUI } from '../lib/validate';

describe('config node options', () => {
  it('fills documented defaults for blank fields and converts the timeout to ms', () => {
    const options = clientOptionsFrom(
      { tenantId: ' t1 ', apiUrl: '', timeout: '' },
      { clientId: 'id', clientSecret: 's' },
    );
    assert.equal(options.tenantId, 't1');
    assert.equal(options.apiUrl, undefined);
    assert.equal(options.timeoutMs, 30_000);
    assert.equal(options.contextMode, 'header');
    assert.equal(options.proxy, 'env');
  });

  it('reads proxy, legacy context and a numeric timeout', () => {
    const options = clientOptionsFrom(
      { tenantId: 't', timeout: 7, proxy: 'url', proxyUrl: 'http://127.0.0.1:3128', contextMode: 'legacy' },
      {},
    );
    assert.equal(options.timeoutMs, 7000);
    assert.equal(options.proxy, 'http://127.0.0.1:3128');
    assert.equal(options.contextMode, 'legacy');
    assert.equal(options.clientSecret, '');
  });

  it('names an environment variable that is not set; optional ones fall back to the default', () => {
    assert.throws(
      () => clientOptionsFrom({ tenantId: '${KPN_THINGS_TENANT_ID}' }, { clientId: 'id', clientSecret: 's' }),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.field === 'tenantId' &&
        /KPN_THINGS_TENANT_ID, which is not set/.test(err.message),
    );
    assert.throws(
      () => clientOptionsFrom({ tenantId: 't' }, { clientId: 'id', clientSecret: '${SECRET_X}' }),
      /SECRET_X/,
    );
    const options = clientOptionsFrom(
      { tenantId: 't', apiUrl: '${KPN_THINGS_API_URL}', gripUrl: '${KPN_THINGS_GRIP_URL}' },
      { clientId: 'id', clientSecret: 's' },
    );
    assert.equal(options.apiUrl, undefined);
    assert.equal(options.gripUrl, undefined);
  });

  it('knows the older $(NAME) form of an environment reference too', () => {
    assert.throws(
      () => clientOptionsFrom({ tenantId: '$(OLD_STYLE)' }, { clientId: 'id', clientSecret: 's' }),
      /environment variable OLD_STYLE, which is not set/,
    );
  });

  it('falls back to the environment proxy when "url" has no URL, and to 30 s for a bad timeout', () => {
    const options = clientOptionsFrom({ proxy: 'url', proxyUrl: ' ', timeout: '-3' });
    assert.equal(options.proxy, 'env');
    assert.equal(options.timeoutMs, 30_000);
  });
});

describe('problem details for flows', () => {
  it('carries API problems through, with retries and the HTTP status', () => {
    const err = new ThingsApiError({ title: 'Conflict', status: 409, detail: 'taken', instance: '/x' });
    err.retries = 2;
    const problem = toProblem(err);
    assert.deepEqual(problem, {
      title: 'Conflict',
      status: 409,
      detail: 'taken',
      instance: '/x',
      retries: 2,
    });
    assert.equal(hasHttpStatus(err), true);
    assert.equal(shortStatus(problem), '409 Conflict');
  });

  it('turns validation errors into 400 invalid-input problems naming the field', () => {
    let err: unknown;
    try {
      normalizeDevEUI('12');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError);
    const problem = toProblem(err);
    assert.equal(problem.type, PROBLEM_TYPES.invalidInput);
    assert.equal(problem.status, 400);
    assert.equal(problem.field, 'devEUI');
    assert.equal(hasHttpStatus(err), false);
    assert.equal(shortStatus(problem), 'Invalid input: devEUI');
  });

  it('keeps the GRIP hint and network codes; no HTTP status for network errors', () => {
    const refused = new GripAuthError(
      { title: 'GRIP token request failed', status: 401 },
      'grip.service-missing',
    );
    const grip = toProblem(refused);
    assert.equal(grip.hint, 'grip.service-missing');
    assert.equal(grip.hintCode, 'grip.service-missing');
    const translated = toProblem(refused, (key) =>
      key === 'kpn-things.hints.grip.service-missing' ? 'Add the service.' : key,
    );
    assert.equal(translated.hint, 'Add the service.');
    assert.equal(translated.hintCode, 'grip.service-missing');
    const network = new ThingsNetworkError('down', 'ECONNREFUSED');
    assert.equal(toProblem(network).code, 'ECONNREFUSED');
    assert.equal(hasHttpStatus(network), false);
  });

  it('cuts long status texts', () => {
    assert.ok(shortStatus({ title: 'x'.repeat(80), status: 500 }).length <= 40);
  });
});

describe('common msg overrides', () => {
  const signal = new AbortController().signal;
  it('reads msg.customerId and msg.timeout', () => {
    const call = callOptionsFrom(
      { _msgid: '1', customerId: 'A0E5C3F2-1B2C-4D5E-8F90-123456789ABC', timeout: '2500' },
      signal,
      true,
    );
    assert.equal(call.customerId, 'a0e5c3f2-1b2c-4d5e-8f90-123456789abc');
    assert.equal(call.timeoutMs, 2500);
  });

  it('ignores msg.customerId where it means something else', () => {
    const call = callOptionsFrom({ _msgid: '1', customerId: 'not-a-uuid' }, signal, false);
    assert.equal(call.customerId, undefined);
  });

  it('names msg.timeout when it is not a positive number', () => {
    assert.throws(() => callOptionsFrom({ _msgid: '1', timeout: 'soon' }, signal, true), /msg\.timeout/);
    assert.throws(() => callOptionsFrom({ _msgid: '1', customerId: 'x' }, signal, true), /msg\.customerId/);
  });
});

describe('msg.query', () => {
  it('is an object of parameters, absent means none, anything else names msg.query', () => {
    assert.deepEqual(queryFromMsg(undefined), {});
    assert.deepEqual(queryFromMsg({ q: 'x' }), { q: 'x' });
    for (const bad of ['q=x', 42, ['q']]) {
      assert.throws(
        () => queryFromMsg(bad),
        (e: unknown) => e instanceof ValidationError && e.field === 'msg.query',
      );
    }
  });
});
