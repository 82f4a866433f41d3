/**
 * Flows for the harness, built from the package's public node types only. Each action node under
 * test sits in a chain: harness-driver -> node -> harness-sink 'ok' (output 1) / 'error' (output 2),
 * with a Catch node -> sink 'catch' and a Status node -> sink 'status' on the same tab.
 * ACTION_NODES lists the action node types with a valid message for each; a new node type (e.g. the
 * coming kpn-things-downlinks or kpn-things-request) joins every suite by adding an entry.
 */
import type { Credentials, FlowNode } from './runtime';
import type { SimInfo } from './sim-process';

export interface ActionNodeSpec {
  type: string;
  /** Properties of the node besides id, type, config, errorOutput and wires. */
  props: (sim: SimInfo) => Record<string, unknown>;
  /** Valid message number i (the simulator must answer it 2xx when no fault applies). */
  message: (i: number, sim: SimInfo) => Record<string, unknown>;
  /** The simulator route key each message calls. */
  route: string;
}

/** An externalReference the harness can count by on the server side. */
export function reference(prefix: string, i: number): string {
  return `${prefix}-${i}`;
}

export const DOWNLINK: ActionNodeSpec = {
  type: 'kpn-things-downlink',
  props: () => ({
    devEUI: 'devEUI',
    devEUIType: 'msg',
    payload: 'payload',
    payloadType: 'msg',
    port: 'port',
    portType: 'msg',
  }),
  message: (i, sim) => ({
    devEUI: sim.devEUIs[i % sim.devEUIs.length],
    payload: (i & 0xffff).toString(16).padStart(4, '0'),
    port: 1 + (i % 200),
    externalReference: reference('dl', i),
  }),
  route: 'POST /api/actuator/downlinks',
};

export const DEVICES: ActionNodeSpec = {
  type: 'kpn-things-devices',
  props: () => ({ api: 'current', output: 'all', maxItems: '', limit: '', limitType: 'num' }),
  message: () => ({ payload: '' }),
  route: 'GET /devices',
};

export const CUSTOMER: ActionNodeSpec = {
  type: 'kpn-things-customer',
  props: () => ({ mode: 'get', customerId: '', customerIdType: 'str', output: 'all' }),
  message: (i, sim) => ({ customerId: sim.customers[i % sim.customers.length].id }),
  route: 'GET /clients/{id}',
};

/** Every action node type of the package (add kpn-things-downlinks / -request / -uplink here). */
export const ACTION_NODES: ActionNodeSpec[] = [DOWNLINK, DEVICES, CUSTOMER];

export interface ChainSpec {
  /** Id of the action node; its driver is `${id}-driver`. */
  id: string;
  type: string;
  props?: Record<string, unknown>;
  /** Errors to a second output (sink 'error') instead of Catch (sink 'catch'). */
  errorOutput?: boolean;
}

export const CONFIG_ID = 'harness-cfg';
const TAB = 'harness-tab';

export function driverOf(chainId: string): string {
  return `${chainId}-driver`;
}

/** A config node pointing at the simulator, and its credentials (keyed by id). */
export function configFor(
  sim: SimInfo,
  extra: Record<string, unknown> = {},
  secret = sim.credentials.clientSecret,
): { node: FlowNode; credentials: Credentials } {
  return {
    node: {
      id: CONFIG_ID,
      type: 'kpn-things-config',
      name: 'simulator',
      tenantId: sim.credentials.tenantId,
      apiUrl: sim.apiUrl,
      gripUrl: sim.gripUrl,
      applicationId: sim.credentials.applicationId,
      proxy: 'none',
      timeout: 10,
      ...extra,
    },
    credentials: { [CONFIG_ID]: { clientId: sim.credentials.clientId, clientSecret: secret } },
  };
}

/** A tab with one chain per spec, sharing one config node, the sinks, a Catch and a Status node. */
export function flowOf(
  sim: SimInfo,
  chains: ChainSpec[],
  options: {
    configExtra?: Record<string, unknown>;
    secret?: string;
    extraNodes?: FlowNode[];
    /** A Status node feeding sink 'status' (default true; benchmarks leave it out, as most flows do). */
    statusNode?: boolean;
  } = {},
): { flows: FlowNode[]; credentials: Credentials } {
  const config = configFor(sim, options.configExtra, options.secret);
  const z = TAB;
  const sink = (kind: string): FlowNode => ({ id: `sink-${kind}`, type: 'harness-sink', z, kind, wires: [] });
  const flows: FlowNode[] = [
    { id: TAB, type: 'tab', label: 'harness' },
    config.node,
    sink('ok'),
    sink('error'),
    sink('catch'),
    sink('status'),
    { id: 'harness-catch', type: 'catch', z, scope: null, uncaught: false, wires: [['sink-catch']] },
    ...(options.statusNode === false
      ? []
      : [{ id: 'harness-status', type: 'status', z, scope: null, wires: [['sink-status']] }]),
    ...(options.extraNodes ?? []).map((node) => ({ z, ...node })),
  ];
  for (const chain of chains) {
    flows.push({ id: driverOf(chain.id), type: 'harness-driver', z, wires: [[chain.id]] });
    flows.push({
      id: chain.id,
      type: chain.type,
      z,
      name: '',
      config: CONFIG_ID,
      errorOutput: chain.errorOutput === true,
      ...chain.props,
      wires: chain.errorOutput ? [['sink-ok'], ['sink-error']] : [['sink-ok']],
    });
  }
  return { flows, credentials: config.credentials };
}

/** The default chain id of a spec (a node id must not equal a type name: Node-RED takes it for a reference). */
export function chainId(spec: ActionNodeSpec): string {
  return `under-test-${spec.type.replace(/^kpn-things-/, '')}`;
}

/** A chain for an action node spec. */
export function chainOf(
  spec: ActionNodeSpec,
  sim: SimInfo,
  errorOutput = false,
  id = chainId(spec),
): ChainSpec {
  return { id, type: spec.type, props: spec.props(sim), errorOutput };
}
