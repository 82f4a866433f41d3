/** Test support: a simulator per suite and a client wired to it. */
import { startSimulator } from '../../lib/simulator';
import type { Simulator, SimulatorOptions } from '../../lib/simulator/types';
import { TokenRegistry } from '../../lib/auth/token-registry';
import { ThingsClient, type ThingsClientOptions } from '../../lib/client';

export async function withSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator(options);
}

let clientCounter = 0;

/** The token registry of the test clients, as a config node module holds one per runtime. */
export const testTokens = new TokenRegistry();

/**
 * A client for the simulator. Clients of one simulator share its token (they share `testTokens`, which
 * keys tokens by credential and token URL, and every simulator listens on its own port): start a
 * simulator per test where token counts matter.
 */
export function clientFor(
  sim: Pick<Simulator, 'credentials' | 'apiUrl' | 'gripUrl'>,
  overrides: Partial<ThingsClientOptions> = {},
): ThingsClient {
  clientCounter++;
  return new ThingsClient({
    tenantId: sim.credentials.tenantId,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    applicationId: sim.credentials.applicationId,
    apiUrl: sim.apiUrl,
    gripUrl: sim.gripUrl,
    proxy: 'none',
    userAgent: `test-${clientCounter}`,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    tokens: testTokens,
    ...overrides,
  });
}

/** A kpn-things-config node for a flow, pointing at the simulator (`id` defaults to 'cfg'). */
export function configNodeFor(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'cfg',
    type: 'kpn-things-config',
    name: 'sim',
    tenantId: sim.credentials.tenantId,
    apiUrl: sim.apiUrl,
    gripUrl: sim.gripUrl,
    applicationId: sim.credentials.applicationId,
    proxy: 'none',
    timeout: 5,
    ...extra,
  };
}

/** The credentials of that config node, as the test helper takes them (keyed by node id). */
export function credentialsFor(
  sim: Simulator,
  id = 'cfg',
  secret = sim.credentials.clientSecret,
): Record<string, { clientId: string; clientSecret: string }> {
  return { [id]: { clientId: sim.credentials.clientId, clientSecret: secret } };
}

/**
 * The flow the node tests use: the config node, the node under test ('n1') wired to helper 'out' (and
 * 'err' with a second output), a Catch node reporting to 'caught', and with `join` a Join node in
 * automatic mode behind the first output reporting to 'joined'.
 */
export function nodeTestFlow(
  sim: Simulator,
  node: Record<string, unknown>,
  config: Record<string, unknown> = {},
  { join = false }: { join?: boolean } = {},
): unknown[] {
  const first = join ? ['out', 'joiner'] : ['out'];
  const wires = node.errorOutput ? [['out'], ['err']] : [first];
  return [
    configNodeFor(sim, config),
    { id: 'n1', z: 'tab', config: 'cfg', wires, ...node },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'err', z: 'tab', type: 'helper' },
    ...(join
      ? [
          { id: 'joiner', z: 'tab', type: 'join', mode: 'auto', wires: [['joined']] },
          { id: 'joined', z: 'tab', type: 'helper' },
        ]
      : []),
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
    { id: 'tab', type: 'tab' },
  ];
}
