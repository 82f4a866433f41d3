/**
 * Redeploy under load: 50 full redeploys while messages flow through every action node; afterwards no
 * socket, timer or other handle is left beyond those of an idle runtime (process.getActiveResourcesInfo()).
 */
import assert from 'node:assert/strict';
import {
  ACTION_NODES,
  activeResources,
  chainOf,
  driverOf,
  flowOf,
  grownResources,
  sharedRuntime,
  SimProcess,
  sleep,
  startRun,
  total,
  type Runtime,
} from '../harness';

const REDEPLOYS = Number(process.env.REDEPLOYS ?? 50);

/** Runs `count` full redeploys of all action nodes under load; returns what grew and the log lines. */
export async function redeployUnderLoad(
  runtime: Runtime,
  sim: SimProcess,
  count: number,
): Promise<{ grown: Record<string, number>; logs: string[]; outcomes: number }> {
  const chains = ACTION_NODES.map((spec) => chainOf(spec, sim.info, true));
  const { flows, credentials } = flowOf(sim.info, chains);
  await runtime.deploy(flows, credentials);
  await runtime.deploy([]);
  await sleep(300);
  const before = activeResources();
  const logsFrom = runtime.logs.length;
  let outcomes = 0;
  for (let round = 0; round < count; round++) {
    await runtime.deploy(flows, credentials);
    const runs = ACTION_NODES.map((spec, i) =>
      startRun(driverOf(chains[i].id), {
        n: 100_000,
        concurrency: 16,
        message: (n) => spec.message(n, sim.info),
        timeoutMs: 60_000,
      }),
    );
    await sleep(20 + (round % 5) * 15);
    for (const run of runs) {
      run.stop();
      outcomes += await run.done.then((r) => r.counts.ok + r.counts.error + r.counts.catch);
    }
  }
  await runtime.deploy([]);
  await sleep(500);
  const after = activeResources();
  return {
    grown: grownResources(before, after),
    logs: runtime.logs.slice(logsFrom).map((entry) => entry.msg),
    outcomes,
  };
}

describe('reliability: redeploy under load', function () {
  this.timeout(120_000);
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
    const { grown, outcomes } = await redeployUnderLoad(runtime, sim, REDEPLOYS);
    assert.ok(outcomes > REDEPLOYS, `messages flowed (${outcomes} outcomes)`);
    assert.deepEqual(grown, {}, `left behind: ${JSON.stringify(grown)} (${total(grown)})`);
  });
});
