/**
 * The one way every action node works, so each node file is only its own logic:
 * - resolves the config node, and fails clearly (red status, error per message) when it is missing;
 * - per message: blue status, then the node's handler with a context (client, msg, typed inputs,
 *   common call options from msg.customerId / msg.timeout, an abort signal), then
 *   send(msg) + done() on success, or msg.problem + done(err) (Catch nodes) / the second output;
 * - exactly one done() per message on every path; no promise left unhandled;
 * - on close: aborts calls in flight, clears timers, and ends those messages without an error.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import type { CallOptions, ThingsClient } from '../../lib/client';
import { ThingsAbortError } from '../../lib/errors';
import { normalizeUuid, ValidationError } from '../../lib/validate';
import { hasHttpStatus, shortStatus, toNodeError, toProblem } from './problem';
import { NodeStatus, STATUS_KEYS } from './status';
import { evaluateProperty } from './typed-input';
import type { ActionNodeDef, Msg, ThingsConfigNode } from './types';

export interface ActionContext<D extends ActionNodeDef> {
  readonly def: D;
  readonly node: Node;
  readonly msg: Msg;
  readonly client: ThingsClient;
  readonly signal: AbortSignal;
  /** Call options from the message: msg.customerId (reseller context), msg.timeout (ms), and the signal. */
  readonly call: CallOptions;
  /** Evaluates the TypedInput property `name` (its type in `${name}Type`). */
  property(name: string): Promise<unknown>;
  /** Sends a message on the first output now (for nodes that stream many messages). */
  send(msg: Msg): void;
  /** A deep copy of the input message with `changes` applied (for nodes that send many messages). */
  derive(changes: Record<string, unknown>): Msg;
  /** Shows progress in the status while working. */
  progress(text: string): void;
  warn(text: string): void;
  /** Translates a key of this node's catalogue. */
  t(key: string, params?: Record<string, string | number>): string;
}

export interface ActionOutcome {
  /** Status text on success (e.g. "12 devices"). */
  status: string;
  /** The message to send on the first output (omit when the handler sent its messages itself). */
  msg?: Msg;
}

export interface ActionNodeOptions {
  /** False when msg.customerId means something else for this node (default true). */
  customerContextFromMsg?: boolean;
}

export type ActionHandler<D extends ActionNodeDef> = (ctx: ActionContext<D>) => Promise<ActionOutcome>;

export function registerActionNode<D extends ActionNodeDef>(
  RED: NodeAPI,
  type: string,
  handler: ActionHandler<D>,
  options: ActionNodeOptions = {},
): void {
  function ActionNode(this: Node, def: D): void {
    RED.nodes.createNode(this, def);
    attachAction(RED, this, def, type, handler, options);
  }
  RED.nodes.registerType(type, ActionNode);
}

/** Wires the input and close handlers of one action node instance. */
function attachAction<D extends ActionNodeDef>(
  RED: NodeAPI,
  node: Node,
  def: D,
  type: string,
  handler: ActionHandler<D>,
  options: ActionNodeOptions,
): void {
  const status = new NodeStatus(node);
  const inflight = new Set<AbortController>();
  const configNode = RED.nodes.getNode(def.config) as ThingsConfigNode | null;
  let closing = false;
  if (!configNode) status.fault(STATUS_KEYS.noConfig);

  const output = (msg: Msg, isError: boolean): NodeMessage | (NodeMessage | null)[] =>
    def.errorOutput ? (isError ? [null, msg] : [msg, null]) : msg;

  node.on('input', (inMsg, send, done) => {
    const msg = inMsg as Msg;
    const abort = new AbortController();
    inflight.add(abort);
    const ctxSend = (out: Msg): void => send(output(out, false));
    const run = async (): Promise<ActionOutcome> => {
      if (!configNode) throw new Error(RED._('kpn-things.errors.no-config'));
      const client = configNode.getClient();
      status.requesting();
      const ctx: ActionContext<D> = {
        def,
        node,
        msg,
        client,
        signal: abort.signal,
        call: callOptionsFrom(msg, abort.signal, options.customerContextFromMsg !== false),
        property: (name) => {
          const record = def as unknown as Record<string, unknown>;
          return evaluateProperty(RED, node, record[name], record[`${name}Type`], msg);
        },
        send: ctxSend,
        derive: (changes) => Object.assign(RED.util.cloneMessage({ ...msg, payload: undefined }), changes),
        progress: (text) => status.progress(text),
        warn: (text) => node.warn(text),
        t: (key, params) => RED._(`${type}.${key}`, params),
      };
      return handler(ctx);
    };
    run()
      .then((outcome) => {
        status.success(outcome.status);
        if (outcome.msg) send(output(outcome.msg, false));
        done();
      })
      .catch((err: unknown) => {
        if (closing && (err instanceof ThingsAbortError || abort.signal.aborted)) {
          done();
          return;
        }
        const problem = toProblem(err, (key, params) => RED._(key, params));
        msg.problem = problem;
        if (hasHttpStatus(err)) msg.statusCode = problem.status;
        status.error(shortStatus(problem));
        if (def.errorOutput) {
          send(output(msg, true));
          done();
        } else {
          done(toNodeError(problem));
        }
      })
      .finally(() => inflight.delete(abort));
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    for (const abort of inflight) abort.abort(new ThingsAbortError());
    inflight.clear();
    status.close();
    done();
  });
}

/** msg.customerId (reseller context, validated) and msg.timeout (milliseconds) as call options. */
export function callOptionsFrom(msg: Msg, signal: AbortSignal, customerFromMsg: boolean): CallOptions {
  const call: CallOptions = { signal };
  if (customerFromMsg && msg.customerId !== undefined && msg.customerId !== null && msg.customerId !== '') {
    call.customerId = normalizeUuid(msg.customerId, 'msg.customerId');
  }
  if (msg.timeout !== undefined && msg.timeout !== null && msg.timeout !== '') {
    const timeout = Number(msg.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new ValidationError({
        field: 'msg.timeout',
        code: 'invalid_limit',
        value: msg.timeout,
        problem: 'is not a positive number of milliseconds',
        hint: 'set msg.timeout to e.g. 30000 for 30 seconds, or remove it to use the config node timeout.',
      });
    }
    call.timeoutMs = timeout;
  }
  return call;
}
