/**
 * One simulated listener (GRIP or API): reads the body (1 MiB limit), matches a route, applies
 * injected faults, runs the handler, writes the reply and records the exchange.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSet, MALFORMED_JSON_BODY } from './faults';
import { ReplyError, SimError, JSON_TYPE, problem, type Reply, type RequestContext } from './http';
import { Recorder, queryRecord, recordedBody, redactHeaders } from './recorder';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface Route {
  method: string;
  /** Path pattern, e.g. '/devices/{id}'. */
  path: string;
  /** Route key used by faults and recordings, e.g. 'GET /devices/{id}'. */
  key: string;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export interface ListenerOptions {
  name: 'grip' | 'api';
  routes: Route[];
  faults: FaultSet;
  recorder: Recorder;
  /** This listener's error format (GRIP: {message}; API: problem+json). */
  errorReply(
    ctx: RequestContext,
    status: number,
    detail: string,
    title?: string,
    headers?: Record<string, string>,
  ): Reply;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
}

interface BodyResult {
  body: Buffer;
  size: number;
  tooLarge: boolean;
  aborted: boolean;
}

export class Listener {
  readonly server: Server;
  private readonly routes: CompiledRoute[];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;

  constructor(private readonly options: ListenerOptions) {
    this.routes = options.routes.map((route) => ({ route, segments: route.path.split('/') }));
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) res.destroy();
      });
    });
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const url = {
      pathname: queryStart < 0 ? target : target.slice(0, queryStart),
      searchParams: new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1)),
    };
    const { body, size, tooLarge, aborted } = await readBody(req);
    const match = this.match(method, url.pathname);
    const ctx: RequestContext = {
      method,
      path: url.pathname,
      target,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: match?.params ?? {},
    };
    const route = match?.route.key ?? '';
    let status = 0;
    try {
      if (aborted || this.closed) return;
      const outcome = this.options.faults.apply(route);
      if (outcome.latencyMs > 0) await this.delay(outcome.latencyMs);
      if (this.closed) return;
      const action = outcome.action;
      if (action?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      let reply: Reply;
      if (action?.kind === 'status') {
        const headers: Record<string, string> = action.retryAfter ? { 'retry-after': action.retryAfter } : {};
        reply =
          action.body !== undefined
            ? {
                status: action.status,
                headers: { ...headers, 'content-type': action.contentType ?? 'text/plain; charset=utf-8' },
                body: action.body,
              }
            : problem(action.status, 'Injected fault.', target, undefined, headers);
      } else if (action?.kind === 'malformedJson') {
        reply = { status: 200, headers: { 'content-type': JSON_TYPE }, body: MALFORMED_JSON_BODY };
      } else if (tooLarge) {
        reply = this.options.errorReply(
          ctx,
          413,
          `The request body must not be larger than ${BODY_LIMIT_BYTES} bytes.`,
        );
      } else if (!match) {
        reply = this.options.errorReply(ctx, 404, `No route for ${method} ${url.pathname}.`);
      } else {
        reply = await this.run(match.route, ctx);
      }
      if (action?.kind === 'resetAfterActing') {
        status = reply.status;
        req.socket.destroy();
        return;
      }
      status = send(res, reply);
    } finally {
      this.options.recorder.record({
        server: this.options.name,
        method,
        route,
        path: url.pathname,
        query: queryRecord(url.searchParams),
        headers: redactHeaders(req.headers),
        body: tooLarge ? `[body too large: ${size} bytes]` : recordedBody(body),
        status,
        at,
      });
    }
  }

  private async run(route: Route, ctx: RequestContext): Promise<Reply> {
    try {
      return await route.handle(ctx);
    } catch (error) {
      if (error instanceof ReplyError) return error.reply;
      if (error instanceof SimError) {
        return this.options.errorReply(ctx, error.status, error.detail, error.title, error.headers);
      }
      const detail = error instanceof Error ? error.message : String(error);
      return this.options.errorReply(ctx, 500, `Simulator error: ${detail}`);
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = path.split('/');
    for (const { route, segments } of this.routes) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const segment = segments[i];
        if (segment.startsWith('{') && segment.endsWith('}')) {
          const value = decode(parts[i]);
          if (value === undefined || value === '') ok = false;
          else params[segment.slice(1, -1)] = value;
        } else if (segment !== parts[i]) ok = false;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
      };
      this.timers.add(entry);
    });
  }
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (aborted: boolean): void => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(chunks), size, tooLarge: size > BODY_LIMIT_BYTES, aborted });
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client can still read the 413.
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => finish(false));
    req.on('error', () => finish(true));
    req.on('close', () => finish(!req.complete));
  });
}

/** Writes a reply; returns the status sent (0 when the connection was already gone). */
function send(res: ServerResponse, reply: Reply): number {
  if (res.destroyed || res.headersSent) return 0;
  const body = reply.body ?? '';
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'content-length': Buffer.byteLength(body),
  };
  res.writeHead(reply.status, headers);
  res.end(body);
  return reply.status;
}
