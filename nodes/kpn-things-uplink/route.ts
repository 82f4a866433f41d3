/**
 * The uplink node's route on Node-RED's HTTP server (RED.httpNode, an express app under
 * httpNodeRoot). No body parser in front (the receiver reads the raw stream), all methods (the
 * receiver answers 405 itself), and on close only this node's own router layers are removed, found
 * by handler identity: the core HTTP In node removes every layer with the same path and method,
 * which also removes another node's route. One path has one owner per runtime: a second node on
 * the same path is a deploy-time error instead of a silent second route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Layer {
  handle?: unknown;
  route?: { stack?: Layer[] };
}

/** The part of an express app the route needs (express 4 has `_router`, express 5 `router`). */
export interface NodeApp {
  all(path: string, handler: Handler): unknown;
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

export interface MountedRoute {
  /** Removes this node's layers (and only those), and frees the path. Idempotent. */
  remove(): void;
}

/**
 * Mounts `handler` at `path` for node `owner`. Throws a PathTakenError when another node serves the
 * path (case and trailing '/' ignored, as express does).
 */
export function mountRoute(app: NodeApp, path: string, owner: string, handler: Handler): MountedRoute {
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
  app.all(path, own);
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
      if (byPath.get(key) === owner) byPath.delete(key);
    },
  };
}

/** How many layers of `app` serve `handler`-wrapped routes at `path` (for tests and diagnostics). */
export function layersAt(app: NodeApp, path: string): number {
  const stack = stackOf(app) ?? [];
  return stack.filter((layer) => (layer as { route?: { path?: unknown } }).route?.path === path).length;
}
