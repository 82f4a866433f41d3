/**
 * Redeploy under load: 50 full redeploys while messages flow through every action node; afterwards no
 * socket, timer or other handle is left beyond those of an idle runtime (process.getActiveResourcesInfo()),
 * and each node that closed with calls in flight said how many it cancelled (one log line per close).
 */
import assert from 'node:assert/strict';
import { ACTION_NODES, redeployUnderLoad, sharedRuntime, SimProcess, total, type Runtime } from '../harness';

const CANCELLED = /Cancelled (\d+) calls? in flight on redeploy/;

const REDEPLOYS = Number(process.env.REDEPLOYS ?? 50);

describe('reliability: redeploy under load', function () {
  this.timeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000));
  let runtime: Runtime;
  let sim: SimProcess;

  before(async () => {
    runtime = await sharedRuntime();
    sim = await SimProcess.start({ deviceCount: 20, customerCount: 3 });
  });

  after(async () => {
    await runtime.deploy([]);
    await sim.close();
  });

  it(`${REDEPLOYS} redeploys while messages flow leave no socket, timer or handle behind`, async () => {
    await sim.inject({ route: '*', latencyMs: 30, rate: 0.5 });
    const { grown, outcomes, logs } = await redeployUnderLoad(runtime, sim, REDEPLOYS);
    assert.ok(outcomes > REDEPLOYS, `messages flowed (${outcomes} outcomes)`);
    assert.deepEqual(grown, {}, `left behind: ${JSON.stringify(grown)} (${total(grown)})`);
    // Calls in flight when a node closes end without an outcome: the node logs how many, once per close.
    const cancelled = logs.map((line) => CANCELLED.exec(line)).filter((m) => m !== null);
    assert.ok(cancelled.length > 0, 'a redeploy under load logged the calls it cancelled');
    assert.ok(
      cancelled.length <= REDEPLOYS * ACTION_NODES.length,
      `at most one line per node per close (${cancelled.length} lines for ${REDEPLOYS} redeploys)`,
    );
    for (const m of cancelled) assert.ok(Number(m[1]) >= 1, `a positive count: ${m[0]}`);
  });
});
