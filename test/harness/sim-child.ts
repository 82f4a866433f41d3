/**
 * The simulator in its own process (an IPC child of the harness), so it never shares the event loop
 * of the Node-RED runtime under test. Started by sim-process.ts with the simulator options as JSON in
 * argv[2]; answers control requests ({ id, op, args }) with { id, result } or { id, error }.
 */
import crypto from 'node:crypto';
import type { Fault, Simulator, SimulatorOptions } from '../../lib/simulator/types';

/** Options the child takes besides the simulator's own. */
export interface SimChildOptions extends SimulatorOptions {
  /** Remember the access tokens GRIP issues, so a secrets test can search for them. */
  exposeTokens?: boolean;
}

export interface DownlinkCount {
  /** POSTs of the downlink route received with this externalReference. */
  received: number;
  /** Of those, the ones the server acted on (queued the downlink: answered 2xx, or reset after acting). */
  acted: number;
}

const issuedTokens: string[] = [];

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimChildOptions;
  if (options.exposeTokens) {
    // Tokens are randomBytes(32) as base64url (lib/simulator/tokens.ts); watch them as they are made.
    const original = crypto.randomBytes.bind(crypto) as (size: number) => Buffer;
    (crypto as { randomBytes: unknown }).randomBytes = (size: number, ...rest: unknown[]): unknown => {
      if (rest.length > 0) return (original as (...a: unknown[]) => unknown)(size, ...rest);
      const bytes = original(size);
      if (size === 32) issuedTokens.push(bytes.toString('base64url'));
      return bytes;
    };
  }
  // Loaded after the patch above so the simulator sees it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSimulator } = require('../../lib/simulator') as typeof import('../../lib/simulator');
  const simOptions: SimulatorOptions = { ...options };
  delete (simOptions as SimChildOptions).exposeTokens;
  const sim = await startSimulator(simOptions);
  const ops: Record<string, (args: unknown) => unknown> = {
    inject: (fault) => sim.inject(fault as Fault),
    clearFaults: () => sim.clearFaults(),
    revokeTokens: () => sim.revokeTokens(),
    setTokenLifetime: (seconds) => sim.setTokenLifetime(seconds as number),
    clearRequests: () => sim.clearRequests(),
    stats: () => stats(sim),
    downlinkCounts: () => downlinkCounts(sim),
    issuedTokens: () => [...issuedTokens],
    close: async () => {
      await sim.close();
      setImmediate(() => process.exit(0));
    },
  };
  process.on('message', (raw: { id: number; op: string; args?: unknown }) => {
    const op = ops[raw.op];
    Promise.resolve()
      .then(() => {
        if (!op) throw new Error(`unknown simulator op '${raw.op}'`);
        return op(raw.args);
      })
      .then(
        (result) => process.send?.({ id: raw.id, result: result ?? null }),
        (error: unknown) =>
          process.send?.({ id: raw.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => {
    void sim.close().finally(() => process.exit(0));
  });
  process.send?.({
    ready: {
      gripUrl: sim.gripUrl,
      apiUrl: sim.apiUrl,
      credentials: sim.credentials,
      ownClientId: sim.ownClientId,
      customers: sim.customers,
      devEUIs: sim.devEUIs().slice(0, 1000),
    },
  });
}

/** Counts of what the simulator received, without shipping every recorded request to the parent. */
function stats(sim: Simulator): {
  tokensIssued: number;
  requests: number;
  apiRequests: number;
  tokenRequests: number;
} {
  let apiRequests = 0;
  for (const request of sim.requests) if (request.server === 'api') apiRequests++;
  return {
    tokensIssued: sim.tokensIssued,
    requests: sim.requests.length,
    apiRequests,
    tokenRequests: sim.requests.length - apiRequests,
  };
}

function downlinkCounts(sim: Simulator): Record<string, DownlinkCount> {
  const counts: Record<string, DownlinkCount> = Object.create(null) as Record<string, DownlinkCount>;
  for (const request of sim.requestsFor('POST /api/actuator/downlinks')) {
    const ref = request.query.externalReference;
    const key = typeof ref === 'string' ? ref : '';
    const count = (counts[key] ??= { received: 0, acted: 0 });
    count.received++;
    if (request.status >= 200 && request.status < 300) count.acted++;
  }
  return counts;
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
