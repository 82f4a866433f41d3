/** Full redeploys of every action node while messages flow, and what they leave behind. */
import { ACTION_NODES, chainOf, driverOf, flowOf } from './flows';
import { activeResources, grownResources, sleep } from './resources';
import { startRun } from './run-registry';
import type { Runtime } from './runtime';
import type { SimProcess } from './sim-process';

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
        timeoutMs: 600_000,
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
