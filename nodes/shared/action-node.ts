/**
 * The one way every action node works, so each node file is only its own logic:
 * - brings the saved settings to the current shape (the node's schema.ts: migrate) and checks its
 *   literal settings once: a wrong one is a red status and one node.error naming the field and the fix,
 *   and each message then ends with a short "misconfigured" error (no request is made);
 * - resolves the config node, and fails clearly (red status, error per message) when it is missing;
 * - per message: blue status, then the node's handler with a context (client, msg, typed inputs,
 *   common call options from msg.customerId / msg.timeout, an abort signal), then
 *   send(msg) + done() on success, or msg.problem + done(err) (Catch nodes) / the second output;
 * - exactly one done() per message on every path; no promise left unhandled;
 * - on close: aborts calls in flight, clears timers, and ends those messages without an error.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { CallOptions, ThingsClient } from '../../lib/client';
import { ThingsAbortError } from '../../lib/errors';
import { normalizeUuid, ValidationError } from '../../lib/validate';
import { hasHttpStatus, shortStatus, toNodeError, toProblem } from './problem';
import { NodeStatus, STATUS_KEYS } from './status';
import { checkSettings, migrate, type NodeSchema, type TypedNames } from './schema';
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
  /** Evaluates the TypedInput property `name` (its type in `${name}Type`); 'str' and 'num' values once. */
  property(name: TypedNames<D>): Promise<unknown>;
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
  schema: NodeSchema,
  handler: ActionHandler<D>,
  options: ActionNodeOptions = {},
): void {
  function ActionNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = migrate(schema, saved) as unknown as D;
    attachAction(RED, this, def, schema, handler, options);
  }
  RED.nodes.registerType(schema.type, ActionNode);
}

/** The one error a wrong setting gives: the field, what is wrong and the fix. */
function settingError(RED: NodeAPI, err: unknown): Error & { field?: string } {
  const field =
    typeof (err as { field?: unknown }).field === 'string' ? (err as { field: string }).field : '';
  const text = err instanceof Error ? err.message : String(err);
  // The check's own text says what is wrong and how to fix it, e.g. `devEUI "12" is 2 hex digits long; …`.
  return Object.assign(new Error(`${RED._('kpn-things.errors.misconfigured', { field })} ${text}`), {
    field,
  });
}

/** Wires the input and close handlers of one action node instance. */
function attachAction<D extends ActionNodeDef>(
  RED: NodeAPI,
  node: Node,
  def: D,
  schema: NodeSchema,
  handler: ActionHandler<D>,
  options: ActionNodeOptions,
): void {
  const type = schema.type;
  const status = new NodeStatus(node);
  const inflight = new Set<AbortController>();
  const configNode = RED.nodes.getNode(def.config) as ThingsConfigNode | null;
  const record = def as unknown as Record<string, unknown>;
  let closing = false;
  // Checked once: a wrong literal setting stops every message until the node is fixed and redeployed.
  const wrongSetting = checkSettings(schema, record);
  const misconfigured = wrongSetting === undefined ? undefined : settingError(RED, wrongSetting);
  if (misconfigured) {
    status.fault(STATUS_KEYS.misconfigured);
    node.error(misconfigured.message);
  } else if (!configNode) status.fault(STATUS_KEYS.noConfig);
  // 'str' and 'num' settings do not depend on the message: evaluated once, on first use.
  const literals = new Map<string, Promise<unknown>>();
  const property = (name: string, msg: Msg): Promise<unknown> => {
    const value = record[name];
    const kind = record[`${name}Type`];
    if (kind !== 'str' && kind !== 'num') return evaluateProperty(RED, node, value, kind, msg);
    let known = literals.get(name);
    if (!known) {
      known = evaluateProperty(RED, node, value, kind, msg);
      literals.set(name, known);
    }
    return known;
  };

  const output = (msg: Msg, isError: boolean): NodeMessage | (NodeMessage | null)[] =>
    def.errorOutput ? (isError ? [null, msg] : [msg, null]) : msg;

  node.on('input', (inMsg, send, done) => {
    const msg = inMsg as Msg;
    const abort = new AbortController();
    inflight.add(abort);
    const ctxSend = (out: Msg): void => send(output(out, false));
    const run = async (): Promise<ActionOutcome> => {
      if (misconfigured) throw misconfigured;
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
        property: (name) => property(name, msg),
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
        // Misconfigured: msg.problem names the setting; the lasting red status stays as it is.
        const setting = err === misconfigured;
        const problem = toProblem(setting ? wrongSetting : err, (key, params) => RED._(key, params));
        msg.problem = problem;
        if (hasHttpStatus(err)) msg.statusCode = problem.status;
        if (!setting) status.error(shortStatus(problem));
        if (def.errorOutput) {
          send(output(msg, true));
          done();
        } else {
          done(setting ? misconfigured : toNodeError(problem));
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
