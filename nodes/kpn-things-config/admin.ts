/**
 * Admin endpoints of the config node's editor dialog (Test connection, device and customer pickers).
 * Node-RED glue only: the work is in connection-check.ts. Answers never hold a credential or token.
 *
 *   POST /kpn-things/test-connection           kpn-things-config.write  → {ok, devices, more} | {ok:false, title, detail, hint, status}
 *   GET  /kpn-things/config/:id/devices?q=     kpn-things-config.read   → [{id, name, devEUI, devEUIUnknown?}]
 *   GET  /kpn-things/config/:id/customers?q=   kpn-things-config.read   → [{id, name}]
 */
import type { Request, Response } from 'express';
import type { Node, NodeAPI } from 'node-red';
import type { TokenRegistry } from '../../lib/auth/token-registry';
import { ThingsClient } from '../../lib/client';
import { translateHint, type Translate } from '../shared/problem';
import {
  pickCustomers,
  pickDevices,
  pickerCallOptions,
  problemReply,
  testClientOptions,
  testConnection,
  type EnvLookup,
  type ProblemReply,
  type TestConnectionBody,
} from './connection-check';
import type { ConfigCredentials } from './options';

const CONFIG_TYPE = 'kpn-things-config';

type DeployedConfig = Node<ConfigCredentials> & { getClient(): ThingsClient };

/** The admin apps routes were added to: the module function may run more than once per runtime. */
const registered = new WeakSet<object>();

export function registerAdminRoutes(RED: NodeAPI, tokens: TokenRegistry): void {
  const app = RED.httpAdmin;
  if (!app || registered.has(app)) return;
  registered.add(app);
  const translate: Translate = (key, params) => RED._(key, params);
  const read = RED.auth.needsPermission(`${CONFIG_TYPE}.read`);
  const write = RED.auth.needsPermission(`${CONFIG_TYPE}.write`);

  const deployed = (id: unknown): DeployedConfig | undefined => {
    if (typeof id !== 'string' || id === '') return undefined;
    const node = RED.nodes.getNode(id) as DeployedConfig | null;
    return node && node.type === CONFIG_TYPE && typeof node.getClient === 'function' ? node : undefined;
  };

  const envLookup = (node: Node | undefined): EnvLookup => {
    const util = RED.util as { getSetting?: (node: Node | null, name: string) => string | undefined };
    return (name) =>
      typeof util.getSetting === 'function' ? util.getSetting(node ?? null, name) : process.env[name];
  };

  app.post('/kpn-things/test-connection', write, (req: Request, res: Response) => {
    const body: TestConnectionBody =
      typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)
        ? (req.body as TestConnectionBody)
        : {};
    const node = deployed(body.id);
    const options = testClientOptions(body, node?.credentials, envLookup(node));
    const abort = abortOnDisconnect(req, res);
    testConnection(
      () => new ThingsClient({ ...options, tokens }),
      [options.clientSecret],
      abort.signal,
      translate,
    )
      .then((result) => {
        if (!res.headersSent) res.json(result);
      })
      .catch((err: unknown) => sendProblem(res, problemReply(err, [options.clientSecret], translate)));
  });

  const picker =
    (list: typeof pickDevices | typeof pickCustomers) =>
    (req: Request, res: Response): void => {
      const node = deployed(req.params.id);
      if (!node) {
        sendProblem(res, {
          httpStatus: 404,
          body: {
            title: 'Config node not deployed',
            detail: 'This KPN Things config node is not deployed yet (or was changed since).',
            hint: translateHint('connection.not-deployed', undefined, translate),
            status: 404,
          },
        });
        return;
      }
      const abort = abortOnDisconnect(req, res);
      const secret = node.credentials?.clientSecret;
      new Promise<unknown>((resolve) => {
        const client = node.getClient();
        resolve(list(client, req.query.q, pickerCallOptions(req.query.customerId, abort.signal)));
      })
        .then((items) => {
          if (!res.headersSent) res.json(items);
        })
        .catch((err: unknown) => sendProblem(res, problemReply(err, [secret], translate)));
    };

  app.get('/kpn-things/config/:id/devices', read, picker(pickDevices));
  app.get('/kpn-things/config/:id/customers', read, picker(pickCustomers));
}

function sendProblem(res: Response, problem: ProblemReply): void {
  if (res.headersSent) return;
  res.status(problem.httpStatus).json(problem.body);
}

/** Aborts the upstream calls when the editor goes away before the answer. */
function abortOnDisconnect(req: Request, res: Response): AbortController {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) abort.abort();
  });
  req.on('aborted', () => abort.abort());
  return abort;
}
