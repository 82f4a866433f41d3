import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { readRawBody } from '../lib/uplink/raw-body';

/** A request-like stream: headers plus the body chunks written to it. */
function fakeRequest(
  headers: Record<string, string>,
): PassThrough & { headers: Record<string, string>; complete: boolean } {
  const stream = new PassThrough() as PassThrough & { headers: Record<string, string>; complete: boolean };
  stream.headers = headers;
  stream.complete = false;
  stream.on('end', () => {
    stream.complete = true;
  });
  return stream;
}

const asRequest = (stream: PassThrough): IncomingMessage => stream as unknown as IncomingMessage;

describe('uplink raw body reader', () => {
  it('returns the exact bytes, one chunk as is and several concatenated', async () => {
    const one = fakeRequest({});
    const chunk = Buffer.from([1, 2, 3]);
    one.end(chunk);
    const a = await readRawBody(asRequest(one));
    assert.ok(a.ok && a.body.equals(chunk));
    const many = fakeRequest({});
    many.write(Buffer.from('[{"v":'));
    many.write(Buffer.from('3.0}]'));
    many.end();
    const b = await readRawBody(asRequest(many));
    assert.ok(b.ok && b.body.toString() === '[{"v":3.0}]');
  });

  it('refuses by Content-Length before reading, and a bad Content-Length', async () => {
    assert.deepEqual(await readRawBody(asRequest(fakeRequest({ 'content-length': '11' })), 10), {
      ok: false,
      reason: 'too-large',
      size: 11,
    });
    assert.deepEqual(await readRawBody(asRequest(fakeRequest({ 'content-length': '1e3' })), 10), {
      ok: false,
      reason: 'bad-length',
      size: 0,
    });
  });

  it('stops keeping a body without Content-Length at the limit', async () => {
    const req = fakeRequest({});
    const result = readRawBody(asRequest(req), 10);
    req.write(Buffer.alloc(8));
    req.write(Buffer.alloc(8));
    req.end(Buffer.alloc(100));
    assert.deepEqual(await result, { ok: false, reason: 'too-large', size: 16 });
  });

  it('reports an aborted request and a stream already read', async () => {
    const req = fakeRequest({});
    const result = readRawBody(asRequest(req));
    req.write('[');
    req.destroy();
    assert.equal((await result).ok, false);
    assert.deepEqual(await result, { ok: false, reason: 'aborted', size: 1 });
    const consumed = fakeRequest({});
    consumed.resume();
    consumed.end('x');
    await new Promise((resolve) => consumed.on('end', resolve));
    assert.deepEqual(await readRawBody(asRequest(consumed)), { ok: false, reason: 'consumed', size: 0 });
  });
});
