'use strict';
// npm run bench:client: the client library measured against raw undici, side by side in one process, against the
// same simulator on 127.0.0.1. Reports ratios (client time / baseline time), never absolute verdicts.
// Bounded: fixed request counts, everything on loopback, exits when done.
const { Agent, request } = require('undici');
const { startSimulator } = require('../dist/lib/simulator');
const { ThingsClient, ENDPOINTS, collect, devicePages, items } = require('../dist/lib');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);

async function rawToken(sim, dispatcher) {
  const { tenantId, clientId, clientSecret, applicationId } = sim.credentials;
  const res = await request(`${sim.gripUrl}/v2/${tenantId}/oidc/idp/c1/token`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      audience: applicationId,
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return (await res.body.json()).access_token;
}

function newClient(sim) {
  const { tenantId, clientId, clientSecret, applicationId } = sim.credentials;
  return new ThingsClient({
    tenantId,
    clientId,
    clientSecret,
    applicationId,
    apiUrl: sim.apiUrl,
    gripUrl: sim.gripUrl,
    proxy: 'none',
  });
}

async function time(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

async function inBatches(total, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Median over ROUNDS of (client ms / raw ms), alternating which goes first. */
async function compare(name, raw, client) {
  const ratios = [];
  const raws = [];
  const clients = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [raw, client] : [client, raw];
    const times = [];
    for (const fn of order) times.push((await time(fn)).ms);
    const [rawMs, clientMs] = round % 2 === 0 ? times : [times[1], times[0]];
    raws.push(rawMs);
    clients.push(clientMs);
    ratios.push(clientMs / rawMs);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { name, rawMs: median(raws), clientMs: median(clients), ratio: median(ratios) };
}

async function main() {
  const results = [];
  const notes = [];

  // 1. Small GETs: one device per call, sequential and 50 at a time.
  {
    const sim = await startSimulator({ deviceCount: 100 });
    const dispatcher = new Agent({ connections: 16 });
    const token = await rawToken(sim, dispatcher);
    const client = newClient(sim);
    await client.authenticate();
    const rawGet = async () => {
      const res = await request(`${sim.apiUrl}/devices?limit=1`, {
        dispatcher,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      await res.body.json();
    };
    const clientGet = () => client.call(ENDPOINTS.listDevices, { query: { limit: 1 } });
    for (let i = 0; i < 200; i++) {
      await rawGet();
      await clientGet();
    }
    results.push(
      await compare(
        '2 000 sequential GET /devices?limit=1',
        () => inBatches(2000, 1, rawGet),
        () => inBatches(2000, 1, clientGet),
      ),
    );
    results.push(
      await compare(
        '5 000 GET /devices?limit=1, 50 concurrent',
        () => inBatches(5000, 50, rawGet),
        () => inBatches(5000, 50, clientGet),
      ),
    );
    notes.push(
      `token requests for all client calls above: ${sim.tokensIssued - 1} (plus 1 for the raw baseline)`,
    );
    await client.close();
    await dispatcher.close();
    await sim.close();
  }

  // 2. Paging 100 000 devices, 1 000 a page: the raw loop follows next links; the client uses devicePages.
  {
    const sim = await startSimulator({ deviceCount: 100_000 });
    const dispatcher = new Agent({ connections: 4 });
    const token = await rawToken(sim, dispatcher);
    const client = newClient(sim);
    await client.authenticate();
    const rawAll = async () => {
      let url = `${sim.apiUrl}/devices?limit=1000`;
      let count = 0;
      while (url) {
        const res = await request(url, {
          dispatcher,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        });
        const body = await res.body.json();
        count += body.items.length;
        url = body.next;
      }
      return count;
    };
    const clientAll = async () => (await collect(devicePages(client, { limit: 1000 }))).items.length;
    const count = await clientAll();
    if (count !== 100_000 || (await rawAll()) !== 100_000) throw new Error(`paging counted ${count}`);
    results.push(await compare('page through 100 000 devices (100 pages)', rawAll, clientAll));

    // Memory: streaming item by item keeps about one page alive.
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let streamed = 0;
    for await (const device of items(devicePages(client, { limit: 1000 }))) {
      if (device && ++streamed % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    notes.push(
      `streaming 100 000 devices: peak heap growth ${((peak - before) / 1048576).toFixed(1)} MiB (${streamed} items)`,
    );
    await client.close();
    await dispatcher.close();
    await sim.close();
  }

  // 3. Token single-flight: 1 000 concurrent first calls.
  {
    const sim = await startSimulator({ deviceCount: 5 });
    const client = newClient(sim);
    const { ms } = await time(() =>
      Promise.all(
        Array.from({ length: 1000 }, () => client.call(ENDPOINTS.listDevices, { query: { limit: 1 } })),
      ),
    );
    notes.push(
      `1 000 concurrent calls on a cold cache: ${sim.tokensIssued} token request(s), ${ms.toFixed(0)} ms in all`,
    );
    await client.close();
    await sim.close();
  }

  console.log(
    `\nKPN Things client vs raw undici (same simulator, same process, median of ${ROUNDS} rounds)\n`,
  );
  console.log('| scenario | raw undici ms | client ms | ratio (client/raw) |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results)
    console.log(`| ${r.name} | ${r.rawMs.toFixed(0)} | ${r.clientMs.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
