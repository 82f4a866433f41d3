/**
 * Exactly one outcome under faults: 2 000 messages through each action node in a real runtime while
 * the simulator (in its own process) injects 429 with Retry-After, 503, 500, 502, 504, resets before
 * and after acting, malformed JSON, latency, and revokes every token now and then. Counted on both
 * sides: every input has exactly one outcome; no downlink is acted on twice, and a success always
 * means the server acted exactly once.
 */
import assert from 'node:assert/strict';
import {
  ACTION_NODES,
  chainOf,
  driverOf,
  flowOf,
  sharedRuntime,
  SimProcess,
  startRun,
  type ActionNodeSpec,
  type Runtime,
} from '../harness';

const MESSAGES = Number(process.env.RELIABILITY_MESSAGES ?? 2000);
const CONCURRENCY = 32;

function faultsFor(route: string): Parameters<SimProcess['inject']>[0][] {
  return [
    { route, latencyMs: 20, rate: 0.1 },
    { route, status: 429, retryAfter: '1', rate: 0.01, times: 2 },
    { route, status: 503, rate: 0.03 },
    { route, status: 500, rate: 0.03 },
    { route, status: 502, rate: 0.02 },
    { route, status: 504, rate: 0.02 },
    { route, reset: true, rate: 0.02 },
    { route, resetAfterActing: true, rate: 0.02 },
    { route, malformedJson: true, rate: 0.02 },
  ];
}

describe('reliability: exactly one outcome per message under faults', function () {
  this.timeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000));
  let runtime: Runtime;

  before(async () => {
    runtime = await sharedRuntime();
  });

  ACTION_NODES.forEach((spec: ActionNodeSpec, index: number) => {
    const errorOutput = index % 2 === 0;
    it(`${spec.type} (${errorOutput ? 'second output' : 'Catch'}): ${MESSAGES} messages, ~20 % faults, token revocations`, async () => {
      const sim = await SimProcess.start({ deviceCount: 20, customerCount: 5, seed: 7 + index });
      const revoker = setInterval(() => void sim.revokeTokens().catch(() => undefined), 400);
      try {
        const { flows, credentials } = flowOf(sim.info, [chainOf(spec, sim.info, errorOutput)]);
        await runtime.deploy(flows, credentials);
        for (const fault of faultsFor(spec.route)) await sim.inject(fault);
        const result = await startRun(driverOf(chainOf(spec, sim.info).id), {
          n: MESSAGES,
          concurrency: CONCURRENCY,
          message: (i) => spec.message(i, sim.info),
          keepMessages: true,
          timeoutMs: Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000) - 10_000,
        }).done;
        clearInterval(revoker);

        assert.equal(result.missing, 0, 'every input has an outcome');
        assert.equal(result.duplicates, 0, 'no input has two outcomes');
        const { ok, error, catch: caught } = result.counts;
        assert.equal(ok + error + caught, MESSAGES);
        assert.equal(errorOutput ? caught : error, 0, 'errors go only where the node is set to send them');
        assert.ok(ok > MESSAGES * 0.5, `most succeed (${ok} of ${MESSAGES})`);
        assert.ok(ok < MESSAGES, 'some faults reached the flow');

        const stats = await sim.stats();
        assert.ok(stats.apiRequests >= MESSAGES, 'every message reached the simulator');
        if (spec.route === 'POST /api/actuator/downlinks') {
          const counts = await sim.downlinkCounts();
          const twice = Object.entries(counts).filter(([, c]) => c.acted > 1);
          assert.deepEqual(twice, [], 'no downlink acted on twice');
          for (const msg of result.messages) {
            const ref = (msg.downlink as { externalReference?: string } | undefined)?.externalReference;
            if (ref !== undefined) assert.equal(counts[ref]?.acted, 1, `success of ${ref} means acted once`);
          }
          const refs = new Set(Object.keys(counts));
          for (let i = 0; i < MESSAGES; i++) assert.ok(refs.has(`dl-${i}`), `dl-${i} reached the server`);
        }
      } finally {
        clearInterval(revoker);
        await runtime.deploy([]);
        await sim.close();
      }
    });
  });
});
