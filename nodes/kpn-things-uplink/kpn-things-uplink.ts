/**
 * kpn-things-uplink: receives KPN Things HTTPS destination pushes on Node-RED's HTTP server and sends
 * each verified message on its one output. The settings are in schema.ts, the receiver options in
 * receiver-options.ts, the route's life in route.ts; the verification and SenML resolution are
 * lib/uplink's. No input port.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { UplinkMessage } from '../../lib/uplink/message';
import {
  createUplinkReceiver,
  type UplinkReceiverOptions,
  type UplinkRejection,
} from '../../lib/uplink/receiver';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../lib/uplink/raw-body';
import { StoreRecentIds, type AsyncKeyValueStore } from '../../lib/uplink/recent-ids';
import { checkSettings, migrate } from '../shared/schema';
import { prepareReceiver, publicPath, recentIdsKeyPrefix } from './receiver-options';
import { mountRoute, type MountedRoute, type Middleware, type NodeApp } from './route';
import { uplinkSchema, type UplinkCredentials, type UplinkSettings } from './schema';
import { ReportLimiter, ThrottledStatus } from './uplink-status';

type UplinkNode = Node<UplinkCredentials>;

interface ContextLike {
  get(key: string, store: string, callback: (err: unknown, value: unknown) => void): void;
  set(key: string, value: unknown, store: string, callback: (err: unknown) => void): void;
}

/** A Node-RED context store (global context, store `store`) as the receiver's key-value store. */
function contextStore(global: ContextLike, store: string): AsyncKeyValueStore {
  return {
    get: (key) =>
      new Promise((resolve, reject) =>
        global.get(key, store, (err, value) => (err ? reject(err) : resolve(value))),
      ),
    set: (key, value) =>
      new Promise((resolve, reject) =>
        global.set(key, value, store, (err) => (err ? reject(err) : resolve())),
      ),
  };
}

export = function (RED: NodeAPI): void {
  const t = (key: string, params?: Record<string, string | number>): string =>
    RED._(`kpn-things-uplink.${key}`, params);

  function KpnThingsUplinkNode(this: UplinkNode, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    start(this, saved);
  }

  /** One node's life: settings checked, receiver built, route mounted; removed again on close. */
  function start(node: UplinkNode, saved: NodeDef): void {
    const settings = migrate(uplinkSchema, saved) as unknown as UplinkSettings;
    // What close undoes (set once the route is mounted).
    const live: { route?: MountedRoute; status?: ThrottledStatus } = {};
    node.on('close', (_removed: boolean, done: () => void) => {
      live.route?.remove();
      live.status?.close();
      done();
    });

    const stop = (text: string, statusKey: string): void => {
      node.error(text);
      node.status({ fill: 'red', shape: 'ring', text: t(statusKey) });
    };
    const wrong = checkSettings(uplinkSchema, settings as unknown as Record<string, unknown>);
    if (wrong !== undefined) {
      return stop(
        `${RED._('kpn-things.errors.misconfigured', { field: String((wrong as { field?: unknown }).field ?? '') })} ${wrong instanceof Error ? wrong.message : String(wrong)}`,
        'status.misconfigured',
      );
    }
    const prepared = prepareReceiver(settings, node.credentials ?? {});
    if (!prepared.options) return stop(prepared.error ?? 'misconfigured', 'status.misconfigured');
    for (const warning of prepared.warnings) node.warn(warning);

    const httpNodeRoot = RED.settings.httpNodeRoot as unknown;
    const app = RED.httpNode as unknown as NodeApp | undefined;
    if (httpNodeRoot === false || typeof app?.all !== 'function') {
      node.warn(`httpNodeRoot: ${t('errors.no-http-node')}`);
      node.status({ fill: 'grey', shape: 'ring', text: t('status.no-http-node') });
      return;
    }
    if (RED.settings.httpNodeAuth) node.warn(`httpNodeAuth: ${t('errors.http-node-auth')}`);

    const store = String(settings.recentIdsStore ?? '').trim();
    const limiter = new ReportLimiter();
    const storeLimiter = new ReportLimiter(1, 60_000);
    let previousWarned = false;
    const options: UplinkReceiverOptions = {
      ...prepared.options,
      ...(store
        ? {
            recentIds: new StoreRecentIds(
              contextStore(node.context().global as unknown as ContextLike, store),
              { keyPrefix: recentIdsKeyPrefix(prepared.path) },
            ),
          }
        : {}),
      onMessage(messages: UplinkMessage[]): void {
        for (const message of messages) node.send(message as unknown as NodeMessage);
        if (!previousWarned && receiver.stats.previousSecretUsed > 0) {
          previousWarned = true;
          node.warn(`previousSecret: ${t('errors.previous-secret-used')}`);
        }
        live.status?.changed();
      },
      onReject(rejection: UplinkRejection, remoteAddress: string | undefined): void {
        live.status?.changed();
        const { report, suppressed } = limiter.take();
        if (!report) return;
        const from = remoteAddress ?? 'unknown address';
        const more = suppressed > 0 ? ` (${suppressed} more rejections not reported)` : '';
        const text = `Uplink rejected with ${rejection.status} (${rejection.code}) from ${from}: ${rejection.message}${more}`;
        // A msg for Catch nodes: the reason and the sender, never the body, the token or a secret.
        node.error(text, {
          payload: undefined,
          problem: {
            title: 'Uplink rejected',
            status: rejection.status,
            detail: rejection.message,
            code: rejection.code,
          },
          remoteAddress: from,
        } as unknown as NodeMessage);
      },
      onStoreError(error: unknown): void {
        if (!storeLimiter.take().report) return;
        const reason = error instanceof Error ? error.message : String(error);
        node.warn(t('errors.store-failed', { store, reason }));
      },
    };
    const receiver = createUplinkReceiver(options);
    try {
      live.route = mountRoute(app, prepared.path, node.id, receiver, {
        publicPath: publicPath(httpNodeRoot, prepared.path),
        maxBodyBytes: prepared.options.maxBodyBytes ?? DEFAULT_BODY_LIMIT_BYTES,
        // httpNodeAuth is mounted in front of httpNode: then requests must go the long way through it.
        direct: !RED.settings.httpNodeAuth,
        middleware: httpNodeMiddleware(RED.settings.httpNodeMiddleware),
      });
    } catch (error) {
      return stop(error instanceof Error ? error.message : String(error), 'status.path-taken');
    }
    live.status = new ThrottledStatus(
      (s) => node.status(s),
      () => receiver.stats,
      (stats, time) =>
        t('status.counts', {
          time,
          accepted: stats.accepted,
          rejected: stats.rejected,
          duplicates: stats.duplicates,
        }),
    );
    node.status({
      fill: 'grey',
      shape: 'dot',
      text: t('status.listening', { path: publicPath(httpNodeRoot, prepared.path) }),
    });
    node.log(`${t('log.listening')} ${publicPath(httpNodeRoot, prepared.path)}`);
  }

  RED.nodes.registerType<UplinkNode, NodeDef, unknown, UplinkCredentials>(
    'kpn-things-uplink',
    KpnThingsUplinkNode,
    { credentials: uplinkSchema.credentials },
  );
};

/** settings.httpNodeMiddleware when it is usable (a function or an array of them), as core HTTP In reads it. */
function httpNodeMiddleware(setting: unknown): Middleware[] | undefined {
  const list = (Array.isArray(setting) ? setting : [setting]).filter((m) => typeof m === 'function');
  return list.length === 0 ? undefined : (list as Middleware[]);
}
