/**
 * The uplink node's route on Node-RED's HTTP server (RED.httpNode, an express app under
 * httpNodeRoot). No body parser in front (the receiver reads the raw stream), all methods (the
 * receiver answers 405 itself), and on close only this node's own router layers are removed, found
 * by handler identity: the core HTTP In node removes every layer with the same path and method,
 * which also removes another node's route. One path has one owner per runtime: a second node on
 * the same path is a deploy-time error instead of a silent second route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { keepCapturedBody, readRawBodyThen } from '../../lib/uplink/raw-body';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

interface Layer {
  handle?: unknown;
  route?: { stack?: Layer[] };
}

/** The part of an express app the route needs (express 4 has `_router`, express 5 `router`). */
export interface NodeApp {
  all(path: string, ...handlers: (Handler | Middleware)[]): unknown;
  use?(middleware: Middleware): unknown;
  /** The app this one is mounted in (express sets it on mount). */
  parent?: NodeApp;
  _router?: { stack?: Layer[] };
  router?: { stack?: Layer[] };
}

/** Express matches paths case-insensitively and with or without a trailing '/'. */
export function routeKey(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
}

export class PathTakenError extends Error {
  constructor(
    readonly path: string,
    readonly owner: string,
  ) {
    super(
      `url: another kpn-things-uplink node (${owner}) already serves ${path}; give each uplink node its own ` +
        'path (one per KPN Things destination), or delete one of them.',
    );
    this.name = 'PathTakenError';
  }
}

function stackOf(app: NodeApp): Layer[] | undefined {
  if (app._router) return app._router.stack;
  try {
    // Express 5; express 4 throws on `app.router` (deprecated) and has no `_router` before its first route.
    return app.router?.stack;
  } catch {
    return undefined;
  }
}

/** The paths served, by key, with their owner node id; one registry per Node-RED runtime (per app). */
const owners = new WeakMap<object, Map<string, string>>();

/**
 * Raw-body capture ahead of every other middleware of the server. Node-RED's standalone server mounts
 * the admin app (whose JSON parser reads every body under its root) before httpNode, and both roots
 * default to '/': by the time a request reaches httpNode its bytes are gone. So the root app gets one
 * middleware, moved to the top of its stack (as the core HTTP In node does for its raw-body option),
 * that reads the raw body of requests to an uplink path (up to that path's limit), keeps it on the
 * request and marks it parsed (`_body`, which body-parser honours), then lets the request go on
 * through httpNodeAuth and the router as before.
 */
interface Capture {
  /** The route's body limit (bytes). */
  limit: number;
  /** Set when nothing guards httpNode (no httpNodeAuth): the request is answered right here. */
  direct?: Handler;
}

const captures = new WeakMap<object, Map<string, Capture>>();

function rootOf(app: NodeApp): NodeApp {
  let root = app;
  while (root.parent) root = root.parent;
  return root;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return routeKey(q < 0 ? raw : raw.slice(0, q));
}

function captureOn(root: NodeApp): Map<string, Capture> | undefined {
  let limits = captures.get(root);
  if (limits) return limits;
  const stack = stackOf(root);
  if (typeof root.use !== 'function') return undefined;
  limits = new Map();
  const paths = limits;
  const capture: Middleware = (req, res, next) => {
    const entry = paths.size === 0 ? undefined : paths.get(pathOf(req.url));
    const flagged = req as IncomingMessage & { _body?: boolean };
    if (entry === undefined || flagged._body || req.readableEnded) return next();
    // The fast path: no middleware of the server guards httpNode, so the receiver answers here, ahead
    // of express's own per-request set-up and every router layer (see MountOptions.direct).
    if (entry.direct) return entry.direct(req, res);
    readRawBodyThen(req, entry.limit, (result) => {
      keepCapturedBody(req, result);
      flagged._body = true;
      next();
    });
  };
  root.use(capture);
  const layers = stackOf(root) ?? stack;
  if (layers) {
    const i = layers.findIndex((layer) => layer.handle === capture);
    if (i > 0) layers.unshift(...layers.splice(i, 1));
  }
  captures.set(root, limits);
  return limits;
}

export interface MountedRoute {
  /** Removes this node's layers (and only those), and frees the path. Idempotent. */
  remove(): void;
}

export interface MountOptions {
  /** The path as the root app sees it (httpNodeRoot + path), when httpNode is mounted in another app. */
  publicPath: string;
  /** The body limit of the route, in bytes. */
  maxBodyBytes: number;
  /**
   * Answer at the top of the root app instead of through the router: only when nothing may stand in
   * front of httpNode (no httpNodeAuth). The router route stays mounted too (an app without a root).
   */
  direct?: boolean;
  /** The user's httpNodeMiddleware (settings.js), run in front of the receiver as for core HTTP In routes. */
  middleware?: Middleware | Middleware[];
}

/**
 * Mounts `handler` at `path` for node `owner`. Throws a PathTakenError when another node serves the
 * path (case and trailing '/' ignored, as express does).
 */
export function mountRoute(
  app: NodeApp,
  path: string,
  owner: string,
  handler: Handler,
  options?: MountOptions,
): MountedRoute {
  let byPath = owners.get(app);
  if (!byPath) {
    byPath = new Map();
    owners.set(app, byPath);
  }
  const key = routeKey(path);
  const taken = byPath.get(key);
  if (taken !== undefined && taken !== owner) throw new PathTakenError(path, taken);
  byPath.set(key, owner);
  // A wrapper of our own, so its identity is ours even if the same receiver were mounted twice.
  const own: Handler = (req, res) => handler(req, res);
  const middleware = options?.middleware === undefined ? [] : [options.middleware].flat();
  app.all(path, ...middleware, own);
  const root = rootOf(app);
  const captureKey = routeKey(root === app || !options ? path : options.publicPath);
  let limits: Map<string, Capture> | undefined;
  try {
    limits = options ? captureOn(root) : undefined;
  } catch {
    // An app shaped unlike express 4/5: the route still works wherever no body parser runs first.
    limits = undefined;
  }
  limits?.set(captureKey, {
    limit: options?.maxBodyBytes ?? 0,
    // The user's httpNodeMiddleware must run first: then the request goes the long way, through the router.
    ...(options?.direct && middleware.length === 0 ? { direct: own } : {}),
  });
  let removed = false;
  return {
    remove(): void {
      if (removed) return;
      removed = true;
      const stack = stackOf(app);
      if (stack) {
        for (let i = stack.length - 1; i >= 0; i--) {
          const layer = stack[i];
          if (layer.handle === own || layer.route?.stack?.some((inner) => inner.handle === own)) {
            stack.splice(i, 1);
          }
        }
      }
      if (byPath.get(key) === owner) {
        byPath.delete(key);
        limits?.delete(captureKey);
      }
    },
  };
}

/** How many layers of `app` serve `handler`-wrapped routes at `path` (for tests and diagnostics). */
export function layersAt(app: NodeApp, path: string): number {
  const stack = stackOf(app) ?? [];
  return stack.filter((layer) => (layer as { route?: { path?: unknown } }).route?.path === path).length;
}
