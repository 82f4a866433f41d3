/**
 * Redeploy under load: 50 full redeploys while messages flow through every action node; afterwards no
 * socket, timer or other handle is left beyond those of an idle runtime (process.getActiveResourcesInfo()).
 */
import assert from 'node:assert/strict';
import { redeployUnderLoad, sharedRuntime, SimProcess, total, type Runtime } from '../harness';

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
    const { grown, outcomes } = await redeployUnderLoad(runtime, sim, REDEPLOYS);
    assert.ok(outcomes > REDEPLOYS, `messages flowed (${outcomes} outcomes)`);
    assert.deepEqual(grown, {}, `left behind: ${JSON.stringify(grown)} (${total(grown)})`);
  });
});
