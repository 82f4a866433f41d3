/**
 * Secrets: with a known client secret and the tokens GRIP actually issued, run every node's success
 * and failure paths in a real runtime, then search flows.json, the admin API's flows, every outcome
 * message, every status text, all captured log output and every error message: neither appears.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import {
  ACTION_NODES,
  chainOf,
  driverOf,
  flowOf,
  sharedRuntime,
  SimProcess,
  startRun,
  statusTexts,
  type Runtime,
} from '../harness';

const SECRET = 'Known-Harness-Secret-5e1f0c';

describe('reliability: secrets never leave the config node', function () {
  this.timeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000));
  let runtime: Runtime;
  let sim: SimProcess;

  before(async () => {
    runtime = await sharedRuntime();
    sim = await SimProcess.start({
      exposeTokens: true,
      credentials: { clientSecret: SECRET },
      deviceCount: 5,
    });
  });

  after(async () => {
    await runtime.deploy([]);
    await sim.close();
  });

  it('appear in no flow file, admin API answer, message, status, log line or error', async () => {
    const chains = ACTION_NODES.map((spec, i) => chainOf(spec, sim.info, i % 2 === 0));
    const { flows, credentials } = flowOf(sim.info, chains);
    await runtime.deploy(flows, credentials);
    const logsFrom = runtime.logs.length;
    const statusFrom = statusTexts.length;
    const messages: Record<string, unknown>[] = [];
    const drive = async (
      build: (spec: (typeof ACTION_NODES)[number], i: number) => Record<string, unknown>,
    ) => {
      for (const [index, spec] of ACTION_NODES.entries()) {
        const result = await startRun(driverOf(chains[index].id), {
          n: 5,
          concurrency: 5,
          message: (i) => build(spec, i),
          keepMessages: true,
        }).done;
        assert.equal(result.missing, 0);
        messages.push(...result.messages);
      }
    };
    // Success paths.
    await drive((spec, i) => spec.message(i, sim.info));
    // Failure paths: server errors, a refused token, a GRIP outage, invalid input.
    for (const spec of ACTION_NODES) await sim.inject({ route: spec.route, status: 500, times: 3 });
    await drive((spec, i) => spec.message(i, sim.info));
    await sim.revokeTokens();
    for (const spec of ACTION_NODES) await sim.inject({ route: spec.route, status: 401, times: 20 });
    await drive((spec, i) => spec.message(i, sim.info));
    await sim.clearFaults();
    await sim.revokeTokens();
    await sim.inject({ route: 'POST /token', status: 401, times: 50 });
    await drive((spec, i) => spec.message(i, sim.info));
    await sim.clearFaults();
    await drive((spec, i) => ({ ...spec.message(i, sim.info), devEUI: 'zz', customerId: 42, timeout: -1 }));

    const tokens = await sim.issuedTokens();
    assert.ok(tokens.length >= 1, 'the simulator issued tokens to search for');
    const counts = { ok: 0, failed: 0 };
    for (const msg of messages) counts[msg.problem || msg.error ? 'failed' : 'ok']++;
    assert.ok(counts.ok > 0 && counts.failed > 0, `both paths ran: ${JSON.stringify(counts)}`);

    const admin = await request(`${runtime.adminUrl}/flows`);
    const haystacks: Record<string, string> = {
      'flows.json': fs.readFileSync(path.join(runtime.userDir, 'flows.json'), 'utf8'),
      'flows_cred.json': fs.readFileSync(path.join(runtime.userDir, 'flows_cred.json'), 'utf8'),
      'GET /flows': await admin.body.text(),
      messages: JSON.stringify(messages),
      'status texts': statusTexts.slice(statusFrom).join('\n'),
      logs: runtime.logs
        .slice(logsFrom)
        .map((entry) => entry.msg)
        .join('\n'),
      errors: messages.map((msg) => JSON.stringify([msg.error, msg.problem])).join('\n'),
    };
    assert.equal(admin.statusCode, 200);
    assert.ok(haystacks['GET /flows'].includes('kpn-things-config'), 'the admin API answered the flows');
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(!text.includes(SECRET), `the client secret appears in ${where}`);
      for (const token of tokens) assert.ok(!text.includes(token), `a token appears in ${where}`);
    }
  });
});
