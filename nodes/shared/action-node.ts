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
 * - on close: aborts calls in flight, clears timers, ends those messages without an error, and logs
 *   how many calls it cancelled (one line per node, only when there were any).
 * Per message it makes no AbortController and no timer: one signal per node instance is aborted on
 * close, the status is throttled (see status.ts) and translations are made once per text.
 */
import { setMaxListeners } from 'node:events';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { CallOptions, ThingsClient } from '../../lib/client';
import { ThingsAbortError } from '../../lib/errors';
import { normalizeUuid, ValidationError } from '../../lib/validate';
import { clonePlain } from './clone';
import { hasHttpStatus, shortStatus, toNodeError, toProblem } from './problem';
import { NodeStatus, STATUS_KEYS, type StatusText } from './status';
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
  /** Shows progress in the status while working (a function: made only when shown). */
  progress(text: StatusText): void;
  warn(text: string): void;
  /** Translates a key of this node's catalogue. */
  t(key: string, params?: Record<string, string | number>): string;
}

export interface ActionOutcome {
  /** Status text on success (e.g. "12 devices"); a function is called only when the status shows it. */
  status: StatusText;
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

/** What every message of one node instance shares. */
interface NodeScope<D extends ActionNodeDef> {
  readonly RED: NodeAPI;
  readonly node: Node;
  readonly def: D;
  readonly record: Record<string, unknown>;
  readonly status: NodeStatus;
  /** Aborted when the node closes: the one signal of every call of this node. */
  readonly signal: AbortSignal;
  readonly literals: Map<string, Promise<unknown>>;
  readonly t: (key: string, params?: Record<string, string | number>) => string;
  readonly output: (msg: Msg, isError: boolean) => NodeMessage | (NodeMessage | null)[];
}

/** The context of one message. */
class MessageContext<D extends ActionNodeDef> implements ActionContext<D> {
  readonly def: D;
  readonly node: Node;
  readonly signal: AbortSignal;
  readonly call: CallOptions;

  constructor(
    private readonly scope: NodeScope<D>,
    readonly msg: Msg,
    readonly client: ThingsClient,
    private readonly sendOut: (msg: NodeMessage | (NodeMessage | null)[]) => void,
    customerFromMsg: boolean,
  ) {
    this.def = scope.def;
    this.node = scope.node;
    this.signal = scope.signal;
    this.call = callOptionsFrom(msg, scope.signal, customerFromMsg);
    // Handlers may pass these on as plain functions (e.g. `queryFrom(ctx.property)`), as they could
    // when the context was an object of closures.
    this.property = this.property.bind(this);
    this.send = this.send.bind(this);
    this.derive = this.derive.bind(this);
    this.progress = this.progress.bind(this);
    this.warn = this.warn.bind(this);
    this.t = this.t.bind(this);
  }

  property(name: TypedNames<D>): Promise<unknown> {
    const { record, literals, RED, node } = this.scope;
    const value = record[name];
    const kind = record[`${name}Type`];
    if (kind !== 'str' && kind !== 'num') return evaluateProperty(RED, node, value, kind, this.msg);
    let known = literals.get(name);
    if (!known) {
      known = evaluateProperty(RED, node, value, kind, this.msg);
      literals.set(name, known);
    }
    return known;
  }

  send(out: Msg): void {
    this.sendOut(this.scope.output(out, false));
  }

  derive(changes: Record<string, unknown>): Msg {
    const base = { ...this.msg, payload: undefined };
    return Object.assign(clonePlain(base) ?? this.scope.RED.util.cloneMessage(base), changes);
  }

  progress(text: StatusText): void {
    this.scope.status.progress(text);
  }

  warn(text: string): void {
    this.scope.node.warn(text);
  }

  t(key: string, params?: Record<string, string | number>): string {
    return this.scope.t(`${this.scope.def.type}.${key}`, params);
  }
}

/** Translations made once: RED._ per message costs more than the rest of the node's work. */
function memoTranslate(RED: NodeAPI): (key: string, params?: Record<string, string | number>) => string {
  const known = new Map<string, string>();
  return (key, params) => {
    let id = key;
    if (params) for (const name in params) id += `\u0000${name}=${params[name]}`;
    let text = known.get(id);
    if (text === undefined) {
      text = RED._(key, params);
      if (known.size >= 1000) known.clear();
      known.set(id, text);
    }
    return text;
  };
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
  const t = memoTranslate(RED);
  const status = new NodeStatus(node, undefined, undefined, t);
  const closer = new AbortController();
  // Every call of this node listens on this one signal while it runs (and detaches when done).
  setMaxListeners(0, closer.signal);
  let inflight = 0;
  const configNode = RED.nodes.getNode(def.config) as ThingsConfigNode | null;
  const record = def as unknown as Record<string, unknown>;
  const customerFromMsg = options.customerContextFromMsg !== false;
  let closing = false;
  // Checked once: a wrong literal setting stops every message until the node is fixed and redeployed.
  const wrongSetting = checkSettings(schema, record);
  const misconfigured = wrongSetting === undefined ? undefined : settingError(RED, wrongSetting);
  if (misconfigured) {
    status.fault(STATUS_KEYS.misconfigured);
    node.error(misconfigured.message);
  } else if (!configNode) status.fault(STATUS_KEYS.noConfig);
  const scope: NodeScope<D> = {
    RED,
    node,
    def,
    record,
    status,
    signal: closer.signal,
    // 'str' and 'num' settings do not depend on the message: evaluated once, on first use.
    literals: new Map(),
    t,
    output: (msg, isError) => (def.errorOutput ? (isError ? [null, msg] : [msg, null]) : msg),
  };

  const run = (
    msg: Msg,
    send: (msg: NodeMessage | (NodeMessage | null)[]) => void,
  ): Promise<ActionOutcome> => {
    if (misconfigured) return Promise.reject(misconfigured);
    if (!configNode) return Promise.reject(new Error(RED._('kpn-things.errors.no-config')));
    try {
      const client = configNode.getClient();
      status.requesting();
      return handler(new MessageContext(scope, msg, client, send, customerFromMsg));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };

  node.on('input', (inMsg, send, done) => {
    const msg = inMsg as Msg;
    inflight++;
    run(msg, send)
      .then(
        (outcome) => {
          inflight--;
          status.success(outcome.status);
          if (outcome.msg) send(scope.output(outcome.msg, false));
          done();
        },
        (err: unknown) => {
          inflight--;
          if (closing && (err instanceof ThingsAbortError || closer.signal.aborted)) {
            status.ended();
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
            send(scope.output(msg, true));
            done();
          } else {
            done(setting ? misconfigured : toNodeError(problem));
          }
        },
      )
      .catch((err: unknown) => node.error(err, msg));
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    const cancelled = inflight;
    closer.abort(new ThingsAbortError());
    status.close();
    if (cancelled > 0) node.log(RED._('kpn-things.log.cancelled', { count: cancelled }));
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
