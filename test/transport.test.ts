import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { ThingsAbortError, ThingsError, ThingsNetworkError, ThingsTimeoutError } from '../lib/errors';
import { createDispatcher } from '../lib/http/dispatcher';
import { send, splitUrl, type HttpRequest } from '../lib/http/transport';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A 127.0.0.1 server whose behaviour each test sets; counts the requests that reached it. */
class TestServer {
  handler: Handler = (_req, res) => res.end('ok');
  hits = 0;
  readonly #server = http.createServer((req, res) => {
    this.hits++;
    this.handler(req, res);
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('HTTP transport (undici dispatch)', () => {
  const server = new TestServer();
  let agent: Agent;
  const get = (path: string, extra: Partial<HttpRequest> = {}): Promise<Awaited<ReturnType<typeof send>>> =>
    send(agent, {
      url: `${server.url}${path}`,
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: 2_000,
      maxResponseBytes: 1_000,
      ...extra,
    });

  before(() => server.start());
  after(() => server.close());
  beforeEach(() => {
    agent = new Agent({ connections: 4, keepAliveTimeout: 1_000 });
    server.hits = 0;
  });
  afterEach(() => agent.destroy());

  it('sends method, path, query, headers and body, and returns status, headers and text', async () => {
    let seen = { method: '', url: '', type: '', body: '' };
    server.handler = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = {
          method: req.method ?? '',
          url: req.url ?? '',
          type: req.headers['content-type'] ?? '',
          body,
        };
        res.writeHead(201, { 'content-type': 'application/json', 'x-one': 'a' }).end('{"ok":true}');
      });
    };
    const res = await send(agent, {
      url: `${server.url}/api/things?port=3&q=a%20b#fragment`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1]',
      timeoutMs: 2_000,
      maxResponseBytes: 1_000,
    });
    assert.deepEqual(seen, {
      method: 'POST',
      url: '/api/things?port=3&q=a%20b',
      type: 'application/json',
      body: '[1]',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-one'], 'a');
    assert.equal(res.text, '{"ok":true}');
  });

  it('joins repeated headers, and decodes a character split across body chunks', async () => {
    server.handler = (_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      const bytes = Buffer.from('zoë €', 'utf8');
      res.write(bytes.subarray(0, 3)); // ends inside 'ë'
      setTimeout(() => res.end(bytes.subarray(3)), 10);
    };
    const res = await get('/split');
    assert.equal(res.headers['set-cookie'], 'a=1, b=2');
    assert.equal(res.text, 'zoë €');
  });

  it('returns an empty text for an empty body, and a 3xx as it is (never followed)', async () => {
    server.handler = (req, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(302, { location: '/elsewhere' }).end();
    };
    assert.deepEqual((await get('/empty')).text, '');
    const moved = await get('/moved');
    assert.equal(moved.status, 302);
    assert.equal(server.hits, 2);
  });

  it('refuses a body over the cap: by Content-Length, and while streaming without one', async () => {
    server.handler = (req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
        return;
      }
      res.writeHead(200); // chunked
      for (let i = 0; i < 20; i++) res.write('y'.repeat(100));
      res.end();
    };
    for (const path of ['/declared', '/chunked']) {
      await assert.rejects(get(path), (err: ThingsError) => {
        assert.equal(err.problem.title, 'Response too large');
        assert.match(err.problem.detail ?? '', /1000-byte limit/);
        return true;
      });
    }
  });

  it('maps a slow answer to a timeout, both before the headers and in a gap of the body', async () => {
    server.handler = (req, res) => {
      if (req.url === '/no-headers') return; // never answers
      res.writeHead(200);
      res.write('part');
    };
    await assert.rejects(get('/no-headers', { timeoutMs: 150 }), ThingsTimeoutError);
    await assert.rejects(get('/stalled-body', { timeoutMs: 150 }), ThingsTimeoutError);
  });

  it('maps a reset connection to a network error naming method and URL without the query', async () => {
    server.handler = (req) => req.socket.destroy();
    await assert.rejects(get('/reset?secret=no'), (err: ThingsNetworkError) => {
      assert.ok(err instanceof ThingsNetworkError);
      assert.match(err.message, /GET http:\/\/127\.0\.0\.1:\d+\/reset failed/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });

  it('aborts a call in flight, and refuses at once when the signal is already aborted', async () => {
    server.handler = () => undefined; // never answers
    const controller = new AbortController();
    const call = get('/hang', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(call, ThingsAbortError);
    const before = server.hits;
    await assert.rejects(get('/never', { signal: controller.signal }), ThingsAbortError);
    assert.equal(server.hits, before);
  });

  it('aborts a call whose body is still streaming, and detaches from the signal', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[1,'); // the rest never comes
    };
    const controller = new AbortController();
    const call = get('/streaming', { signal: controller.signal, timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await assert.rejects(call, ThingsAbortError);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('settles a call still queued for a connection at once when aborted, and never sends it', async () => {
    agent = new Agent({ connections: 1 });
    const answers: http.ServerResponse[] = [];
    server.handler = (_req, res) => answers.push(res);
    const first = get('/first');
    const controller = new AbortController();
    const queued = get('/queued', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const started = Date.now();
    await assert.rejects(queued, ThingsAbortError);
    assert.ok(Date.now() - started < 500);
    for (const res of answers) res.end('done');
    assert.equal((await first).text, 'done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.hits, 1, 'the aborted call never reached the server');
  });

  it('leaves no listener on a long-lived signal after many calls', async () => {
    server.handler = (_req, res) => res.end('ok');
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 50 }, () => get('/ok', { signal: controller.signal })));
    server.handler = (req) => req.socket.destroy();
    await assert.rejects(get('/reset', { signal: controller.signal }), ThingsNetworkError);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('lets go of the response once settled (undici keeps up to 256 finished handlers queued)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    server.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]');
    const seen: { handler?: Dispatcher.DispatchHandler; controller?: Dispatcher.DispatchController } = {};
    // A dispatcher that keeps the handler (as undici's queue does) and the controller it was given.
    const keeping = {
      dispatch: (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
        seen.handler = handler;
        return agent.dispatch(opts, {
          onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
          onResponseStart: (c, status, headers, text) => {
            seen.controller = c;
            handler.onResponseStart?.(c, status, headers, text);
          },
          onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
          onResponseEnd: (c, trailers) => handler.onResponseEnd?.(c, trailers),
          onResponseError: (c, err) => handler.onResponseError?.(c, err),
        });
      },
    } as unknown as Dispatcher;
    let response: WeakRef<object> | undefined;
    await (async () => {
      const res = await send(keeping, {
        url: `${server.url}/list`,
        method: 'GET',
        headers: {},
        timeoutMs: 2_000,
        maxResponseBytes: 1_000,
      });
      assert.equal(res.text, '[1,2,3]');
      response = new WeakRef(res);
    })();
    for (let i = 0; i < 5 && response?.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.ok(seen.handler, 'the handler is still referenced');
    assert.equal(response?.deref(), undefined, 'the settled handler must not keep the response alive');
    assert.equal(seen.controller?.rawHeaders, null, 'the raw header buffers (socket views) are let go');
  });

  it('goes through a CONNECT proxy: named, and from HTTP_PROXY', async () => {
    const connects: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
      connects.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    server.handler = (req, res) => res.end(`via ${req.url}`);
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    const named = createDispatcher({ proxy: proxyUrl });
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    const fromEnv = createDispatcher({ proxy: 'env' });
    try {
      for (const dispatcher of [named, fromEnv]) {
        const res = await send(dispatcher, {
          url: `${server.url}/through?x=1`,
          method: 'GET',
          headers: {},
          timeoutMs: 2_000,
          maxResponseBytes: 1_000,
        });
        assert.equal(res.text, 'via /through?x=1');
      }
      assert.deepEqual(connects, [server.url.slice('http://'.length), server.url.slice('http://'.length)]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await Promise.all([named.destroy(), fromEnv.destroy()]);
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('splits absolute URLs into origin and request target', () => {
    assert.deepEqual(splitUrl('https://api.kpnthings.com'), {
      origin: 'https://api.kpnthings.com',
      path: '/',
    });
    assert.deepEqual(splitUrl('http://127.0.0.1:8080/a/b?c=d#e'), {
      origin: 'http://127.0.0.1:8080',
      path: '/a/b?c=d',
    });
    assert.deepEqual(splitUrl('https://h?x=1'), { origin: 'https://h', path: '/?x=1' });
    assert.throws(() => splitUrl('/relative'), /Not an absolute URL/);
  });
});
