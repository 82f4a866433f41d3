import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createUplinkReceiver,
  StoreRecentIds,
  type UplinkMessage,
  type UplinkReceiver,
  type UplinkReceiverOptions,
  type UplinkRejection,
} from '../lib/uplink';

const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const PREVIOUS = 'Previous-secret-0123456789abcdef#';
const VECTOR =
  '[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","bt":1700000000},{"n":"payload","vs":"0102ab"},{"n":"port","v":1}]';
const VECTOR_TOKEN = 'e27abd1670d83017b9f08ee8b186ab0741616f13fc23dcfe79a30ac50ef3a7fb';
const JAVA_BODY =
  '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.76675482e9,"n":"payload","vs":"1b0c"},{"n":"port","v":3.0},{"n":"timeOrigin","vs":"NETWORK"}]';

const sign = (body: string | Buffer, secret = SECRET): string =>
  createHash('sha256').update(body).update(secret).digest('hex');

interface Sent {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

interface Harness {
  url: string;
  receiver: UplinkReceiver;
  batches: UplinkMessage[][];
  rejections: { rejection: UplinkRejection; address: string | undefined }[];
  close(): Promise<void>;
}

async function start(options: Partial<UplinkReceiverOptions> = {}): Promise<Harness> {
  const batches: UplinkMessage[][] = [];
  const rejections: Harness['rejections'] = [];
  const receiver = createUplinkReceiver({
    sharedSecret: SECRET,
    onMessage: (messages) => batches.push(messages),
    onReject: (rejection, address) => rejections.push({ rejection, address }),
    ...options,
  });
  const server = http.createServer(receiver);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kpn`,
    receiver,
    batches,
    rejections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  url: string,
  body: string | Buffer,
  headers: Record<string, string | undefined> = {},
  options: { method?: string; chunked?: boolean } = {},
): Promise<Sent> {
  const all: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  if (!options.chunked) all['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    if (options.chunked) {
      const buffer = Buffer.from(body);
      for (let i = 0; i < buffer.length; i += 1024) req.write(buffer.subarray(i, i + 1024));
      req.end();
    } else req.end(body);
  });
}

const signed = (h: Harness, body: string | Buffer, extra: Record<string, string | undefined> = {}) =>
  send(h.url, body, { 'things-message-token': sign(body), 'things-plug-uuid': 'plug-1', ...extra });

describe('uplink receiver', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('accepts the contract test vector, answers 200 and hands over the resolved message', async () => {
    h = await start();
    const res = await send(h.url, VECTOR, { 'things-message-token': VECTOR_TOKEN, 'things-plug-uuid': 'p' });
    assert.equal(res.status, 200);
    assert.equal(h.batches.length, 1);
    const [msg] = h.batches[0];
    assert.deepEqual(msg.payload, { payload: '0102ab', port: 1 });
    assert.equal(msg.device?.id, '0123456789ABCDEF');
    assert.equal(msg.messageId, VECTOR_TOKEN);
    assert.equal(msg.plugUUID, 'p');
    assert.equal(msg.time?.iso, '2023-11-14T22:13:20.000Z');
    assert.deepEqual(h.receiver.stats.accepted, 1);
  });

  it('verifies a Java-style number body byte-exactly', async () => {
    h = await start();
    const res = await signed(h, JAVA_BODY);
    assert.equal(res.status, 200);
    assert.equal(h.batches[0][0].time?.ms, 1766754820000);
    assert.deepEqual(h.batches[0][0].payload, { payload: '1b0c', port: 3 });
    const reencoded = JSON.stringify(JSON.parse(JAVA_BODY));
    const bad = await send(h.url, reencoded, { 'things-message-token': sign(JAVA_BODY) });
    assert.equal(bad.status, 403);
  });

  it('accepts upper-case hex and uses the lower-case token as messageId', async () => {
    h = await start();
    const res = await send(h.url, VECTOR, { 'things-message-token': VECTOR_TOKEN.toUpperCase() });
    assert.equal(res.status, 200);
    assert.equal(h.batches[0][0].messageId, VECTOR_TOKEN);
  });

  it('rejects a wrong secret, one tampered byte and a missing token with 403, emitting nothing', async () => {
    h = await start();
    assert.equal((await send(h.url, VECTOR, { 'things-message-token': sign(VECTOR, 'wrong') })).status, 403);
    const tampered = VECTOR.replace('0102ab', '0102ac');
    assert.equal((await send(h.url, tampered, { 'things-message-token': VECTOR_TOKEN })).status, 403);
    assert.equal((await send(h.url, VECTOR)).status, 403);
    assert.equal((await send(h.url, VECTOR, { 'things-message-token': 'xyz' })).status, 403);
    assert.equal(h.batches.length, 0);
    assert.deepEqual(
      h.rejections.map((r) => r.rejection.code),
      ['bad-token', 'bad-token', 'missing-token', 'bad-token'],
    );
    assert.equal(h.rejections[0].address, '127.0.0.1');
    assert.equal(h.receiver.stats.rejected, 4);
    const reported = JSON.stringify(h.rejections);
    for (const secretThing of [SECRET, VECTOR_TOKEN, '0102ab', 'DEVEUI']) {
      assert.ok(!reported.includes(secretThing), `rejections must not carry ${secretThing}`);
    }
  });

  it('accepts the previous secret while rotating, and counts it', async () => {
    h = await start({ previousSecret: PREVIOUS });
    assert.equal((await send(h.url, VECTOR, { 'things-message-token': sign(VECTOR, PREVIOUS) })).status, 200);
    assert.equal(
      (
        await send(h.url, VECTOR.replace('1}', '2}'), {
          'things-message-token': sign(VECTOR.replace('1}', '2}')),
        })
      ).status,
      200,
    );
    assert.equal(h.receiver.stats.previousSecretUsed, 1);
    assert.equal(h.receiver.stats.accepted, 2);
  });

  it('answers 413 above the limit, from Content-Length and from a chunked body', async () => {
    h = await start({ maxBodyBytes: 1000 });
    const big = JSON.stringify([{ bn: 'x:', n: 'a', vs: 'x'.repeat(2000) }]);
    const declared = await signed(h, big);
    assert.equal(declared.status, 413);
    assert.equal(declared.headers.connection, 'close');
    const streamed = await send(h.url, big, { 'things-message-token': sign(big) }, { chunked: true });
    assert.equal(streamed.status, 413);
    const small = JSON.stringify([{ bn: 'x:', n: 'a', vs: 'x'.repeat(900) }]);
    assert.equal(
      (await send(h.url, small, { 'things-message-token': sign(small) }, { chunked: true })).status,
      200,
    );
    assert.equal(h.batches.length, 1);
    assert.deepEqual(
      h.rejections.map((r) => r.rejection.code),
      ['too-large', 'too-large'],
    );
  });

  it('answers 405 for other methods (with Allow) and accepts GET when enabled', async () => {
    h = await start();
    const res = await send(h.url, '', { 'things-message-token': sign('') }, { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    await h.close();
    h = await start({ methods: ['POST', 'GET'] });
    const get = await send(h.url, '', { 'things-message-token': sign('') }, { method: 'GET' });
    assert.equal(get.status, 200);
    assert.equal(h.batches[0][0].kind, 'other');
    assert.equal(
      (await send(h.url, '', { 'things-message-token': sign('') }, { method: 'PUT' })).status,
      405,
    );
  });

  it('answers 415 for clearly non-JSON media types and 400 for invalid JSON (expect senml)', async () => {
    h = await start();
    assert.equal(
      (await signed(h, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status,
      415,
    );
    assert.equal((await signed(h, VECTOR, { 'content-type': 'application/octet-stream' })).status, 415);
    assert.equal((await signed(h, '[{"n":', {})).status, 400);
    assert.equal((await signed(h, '', {})).status, 400);
    assert.equal((await signed(h, VECTOR, { 'content-type': 'application/senml+json' })).status, 200);
    assert.equal((await signed(h, JAVA_BODY, { 'content-type': 'text/plain; charset=utf-8' })).status, 200);
    assert.equal((await signed(h, VECTOR.replace('1}', '3}'), { 'content-type': undefined })).status, 200);
    assert.deepEqual(
      h.rejections.map((r) => r.rejection.status),
      [415, 415, 400, 400],
    );
  });

  it('passes non-SenML bodies through: JSON always, text and bytes with expect any', async () => {
    h = await start({ expect: 'any' });
    assert.equal((await signed(h, '{"temperature":21.5}')).status, 200);
    assert.equal((await signed(h, 'temp=21.5', { 'content-type': 'text/plain' })).status, 200);
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.equal((await signed(h, bytes, { 'content-type': 'application/octet-stream' })).status, 200);
    assert.equal((await signed(h, 'not json', {})).status, 200);
    const payloads = h.batches.map((b) => b[0].payload);
    assert.deepEqual(payloads[0], { temperature: 21.5 });
    assert.equal(payloads[1], 'temp=21.5');
    assert.ok(Buffer.isBuffer(payloads[2]) && (payloads[2] as Buffer).equals(bytes));
    assert.equal(payloads[3], 'not json');
    for (const b of h.batches) {
      assert.equal(b[0].kind, 'other');
      assert.ok(!('senml' in b[0]));
    }
  });

  it('recognises a retry (same bytes, same token): drop answers 200 and emits nothing', async () => {
    h = await start();
    for (let i = 0; i < 3; i++) assert.equal((await signed(h, JAVA_BODY)).status, 200);
    assert.equal(h.batches.length, 1);
    assert.equal(h.receiver.stats.duplicates, 2);
  });

  it('mark mode emits the retry with duplicate: true', async () => {
    h = await start({ duplicates: 'mark' });
    await signed(h, JAVA_BODY);
    await send(h.url, JAVA_BODY, { 'things-message-token': sign(JAVA_BODY).toUpperCase() });
    assert.equal(h.batches.length, 2);
    assert.equal(h.batches[0][0].duplicate, undefined);
    assert.equal(h.batches[1][0].duplicate, true);
  });

  it('works with an asynchronous shared store, and falls back to emitting when it fails', async () => {
    const data = new Map<string, unknown>();
    let failing = false;
    const store = {
      get: async (key: string) => {
        if (failing) throw new Error('store down');
        return data.get(key);
      },
      set: async (key: string, value: unknown) => {
        data.set(key, value);
      },
    };
    const errors: unknown[] = [];
    h = await start({
      recentIds: new StoreRecentIds(store, { keyPrefix: 'kpn_' }),
      onStoreError: (e) => errors.push(e),
    });
    const other = await start({ recentIds: new StoreRecentIds(store, { keyPrefix: 'kpn_' }) });
    try {
      assert.equal((await signed(h, JAVA_BODY)).status, 200);
      assert.equal((await signed(other, JAVA_BODY)).status, 200);
      assert.equal(h.batches.length + other.batches.length, 1, 'the second instance recognised the retry');
      failing = true;
      assert.equal((await signed(h, VECTOR)).status, 200);
      assert.equal(h.batches.length, 2);
      assert.equal(errors.length, 1);
    } finally {
      await other.close();
    }
  });

  it('answers 500 when the flow side throws, and forgets the id so the retry is delivered', async () => {
    let fail = true;
    const got: UplinkMessage[][] = [];
    h = await start({
      onMessage: (m) => {
        if (fail) throw new Error('boom');
        got.push(m);
      },
    });
    assert.equal((await signed(h, VECTOR)).status, 500);
    fail = false;
    assert.equal((await signed(h, VECTOR)).status, 200);
    assert.equal(got.length, 1);
  });

  it('pins Things-Plug-UUID (case-insensitive)', async () => {
    h = await start({ plugUUID: 'ABC-1' });
    assert.equal((await signed(h, VECTOR, { 'things-plug-uuid': 'abc-1' })).status, 200);
    assert.equal((await signed(h, VECTOR, { 'things-plug-uuid': 'abc-2' })).status, 403);
    assert.equal((await signed(h, VECTOR, { 'things-plug-uuid': undefined })).status, 403);
    assert.deepEqual(
      h.rejections.map((r) => r.rejection.code),
      ['plug-uuid', 'plug-uuid'],
    );
  });

  it('checks the destination auth: Basic, Bearer and an X-API-key header', async () => {
    h = await start({ auth: { type: 'basic', username: 'kpn', password: 'p@ss:word' } });
    const basic = `Basic ${Buffer.from('kpn:p@ss:word').toString('base64')}`;
    assert.equal((await signed(h, VECTOR, { authorization: basic })).status, 200);
    const wrong = await signed(h, VECTOR, {
      authorization: `Basic ${Buffer.from('kpn:nope').toString('base64')}`,
    });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.headers['www-authenticate']), /^Basic /);
    await h.close();
    h = await start({ auth: { type: 'bearer', token: 'tok-123' } });
    assert.equal((await signed(h, VECTOR, { authorization: 'Bearer tok-123' })).status, 200);
    assert.equal((await signed(h, VECTOR, { authorization: 'Bearer tok-1234' })).status, 401);
    assert.equal((await signed(h, VECTOR)).status, 401);
    await h.close();
    h = await start({ auth: { type: 'header', value: 'key-1' } });
    assert.equal((await signed(h, VECTOR, { 'x-api-key': 'key-1' })).status, 200);
    assert.equal((await signed(h, VECTOR, { 'x-api-key': 'key-2' })).status, 401);
    assert.ok(!JSON.stringify(h.rejections).includes('key-'));
  });

  it('splits a multi-device pack into one message per device when asked', async () => {
    h = await start({ split: 'device' });
    const body =
      '[{"bn":"urn:dev:DEVEUI:0000000000000001:","bt":1.7e9,"n":"t","v":1},{"bn":"urn:dev:DEVEUI:0000000000000002:","n":"t","v":2}]';
    assert.equal((await signed(h, body)).status, 200);
    assert.equal(h.batches.length, 1);
    assert.deepEqual(
      h.batches[0].map((m) => [m.device?.id, m.payload]),
      [
        ['0000000000000001', { t: 1 }],
        ['0000000000000002', { t: 2 }],
      ],
    );
  });

  it('refuses bad options with a clear TypeError', () => {
    const onMessage = (): void => undefined;
    assert.throws(() => createUplinkReceiver({ sharedSecret: '', onMessage }), /sharedSecret is required/);
    assert.throws(
      () => createUplinkReceiver({ sharedSecret: 'x', maxBodyBytes: -1, onMessage }),
      /maxBodyBytes/,
    );
    assert.throws(
      () => createUplinkReceiver({ sharedSecret: 'x', methods: ['PUT' as 'POST'], onMessage }),
      /methods/,
    );
  });

  it('answers 500 (set-up error) when a body parser already consumed the stream', async () => {
    const receiver = createUplinkReceiver({ sharedSecret: SECRET, onMessage: () => undefined });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => receiver(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const res = await send(`http://127.0.0.1:${port}/`, VECTOR, { 'things-message-token': VECTOR_TOKEN });
      assert.equal(res.status, 500);
      assert.match(res.text, /body parser/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
