'use strict';
// npm run bench: the package's nodes measured in a real Node-RED runtime (test/harness: embedded
// RED.init with the packed package installed, flows deployed through the runtime API, the simulator
// in a child process). Ratios are side by side in one run: median of BENCH_ROUNDS (>= 5) rounds whose
// order alternates, min-max printed. Writes bench/results.json. Exits non-zero when an invariant
// breaks (more than one token request on a cold start, a lost or doubled message).
//   node scripts/bench.js [--only throughput|uplink|tokens|split|redeploy] [--profile-ours SECONDS]
//     [--profile-uplink SECONDS]   (run under node --cpu-prof: only that node's path, for that long)
// Everything on 127.0.0.1; bounded counts; about 3-5 minutes on 2 cores.
const { fork } = require('node:child_process');
const { createHash, timingSafeEqual } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const v8 = require('node:v8');
const { setInterval, clearInterval } = require('node:timers');
const { Agent, request } = require('undici');
const h = require('../dist/test/harness');
const { closedLoop } = require('./closed-loop');
const { buildDownlinkRecords } = require('../dist/lib');

const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS || 7));
const N = Number(process.env.BENCH_MESSAGES || 20000);
const REDEPLOYS = Number(process.env.BENCH_REDEPLOYS || 100);
const ONLY = argValue('--only');
const PROFILE_SECONDS = Number(argValue('--profile-ours') || 0);
const PROFILE_UPLINK_SECONDS = Number(argValue('--profile-uplink') || 0);
const RESULTS = path.join(__dirname, '..', 'bench', 'results.json');

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const failures = [];
/** Messages a reference node (naive, core) did not answer with success, by node id. */
const referenceErrors = {};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, digits = 2) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(digits));

function check(result, label, n) {
  if (result.missing > 0 || result.duplicates > 0) {
    failures.push(`${label}: ${result.missing} lost, ${result.duplicates} doubled of ${n}`);
  }
}

function tokenUrlOf(sim) {
  return `${sim.gripUrl}/v2/${sim.credentials.tenantId}/oidc/idp/c1/token`;
}

function tokenBody(sim) {
  const { clientId, clientSecret, applicationId } = sim.credentials;
  return JSON.stringify({
    grant_type: 'client_credentials',
    audience: applicationId,
    client_id: clientId,
    client_secret: clientSecret,
  });
}

async function rawToken(sim, dispatcher) {
  const res = await request(tokenUrlOf(sim), {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: tokenBody(sim),
  });
  return (await res.body.json()).access_token;
}

/** The messages every variant sends: the same downlinks, one per index. */
function downlinkMessage(sim, i) {
  const msg = h.DOWNLINK.message(i, sim);
  msg.externalReference = `bench-${i}`;
  return msg;
}

/**
 * The variants of the downlink path. Each is { name, run(n, c) -> ms }. The uplink comparison
 * (uplinkVsRawHttpC16, uplinkVsHandBuiltC16) is in uplinkVariants below.
 */
function downlinkVariants(runtime, sim, token, rawAgent) {
  const records = (msg) => buildDownlinkRecords(msg.devEUI, msg.payload);
  // The package's node must answer every message exactly once, successfully. The reference nodes'
  // failures are their own (core 'http request' both sends and throws on a socket error, for one):
  // they are counted and shown, not taken as a broken invariant.
  const viaDriver =
    (chainId, build, reference = false) =>
    async (n, c) => {
      const result = await h.startRun(h.driverOf(chainId), { n, concurrency: c, message: build }).done;
      if (reference) {
        referenceErrors[chainId] = (referenceErrors[chainId] ?? 0) + (n - result.counts.ok);
        return result.ms;
      }
      check(result, chainId, n);
      if (result.counts.ok !== n) failures.push(`${chainId}: ${n - result.counts.ok} of ${n} failed`);
      return result.ms;
    };
  return {
    raw: async (n, c) => {
      const bodies = Array.from({ length: n }, (_, i) => {
        const msg = downlinkMessage(sim, i);
        return {
          url: `${sim.apiUrl}/api/actuator/downlinks?port=${msg.port}&externalReference=${msg.externalReference}`,
          body: JSON.stringify(records(msg)),
        };
      });
      return requestLoop('raw undici', bodies, c, async ({ url, body }) => {
        const res = await request(url, {
          dispatcher: rawAgent,
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/vnd.kpnthings.actuator.v1.response+json',
          },
          body,
        });
        await res.body.json();
        return res.statusCode === 200 || res.statusCode === 201 || res.statusCode === 202;
      });
    },
    ours: viaDriver('bench-ours', (i) => downlinkMessage(sim, i)),
    naive: viaDriver(
      'bench-naive',
      (i) => {
        const msg = downlinkMessage(sim, i);
        msg.records = records(msg);
        return msg;
      },
      true,
    ),
    core: viaDriver(
      'bench-core',
      (i) => {
        const msg = downlinkMessage(sim, i);
        return {
          url: `${sim.apiUrl}/api/actuator/downlinks?port=${msg.port}&externalReference=${msg.externalReference}`,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/vnd.kpnthings.actuator.v1.response+json',
          },
          payload: JSON.stringify(records(msg)),
        };
      },
      true,
    ),
  };
}

function downlinkFlows(sim) {
  const z = 'harness-tab';
  return h.flowOf(sim, [{ id: 'bench-ours', type: 'kpn-things-downlink', props: h.DOWNLINK.props(sim) }], {
    statusNode: false,
    extraNodes: [
      { id: 'bench-naive-driver', type: 'harness-driver', z, wires: [['bench-naive']] },
      {
        id: 'bench-naive',
        type: 'harness-naive-downlink',
        z,
        apiUrl: sim.apiUrl,
        tokenUrl: tokenUrlOf(sim),
        tokenBody: tokenBody(sim),
        wires: [['sink-ok']],
      },
      { id: 'bench-core-driver', type: 'harness-driver', z, wires: [['bench-core']] },
      {
        id: 'bench-core',
        type: 'http request',
        z,
        method: 'POST',
        ret: 'obj',
        paytoqs: 'ignore',
        url: '',
        tls: '',
        persist: true,
        proxy: '',
        insecureHTTPParser: false,
        authType: '',
        senderr: false,
        headers: [],
        wires: [['bench-core-check']],
      },
      // The core node does not fail on HTTP errors: count a non-2xx answer as a failure.
      {
        id: 'bench-core-check',
        type: 'switch',
        z,
        property: 'statusCode',
        propertyType: 'msg',
        rules: [{ t: 'btwn', v: '200', vt: 'num', v2: '299', v2t: 'num' }, { t: 'else' }],
        checkall: 'false',
        outputs: 2,
        wires: [['sink-ok'], ['sink-error']],
      },
    ],
  });
}

/**
 * Median over ROUNDS of ratio = variant msgs/s / raw msgs/s (in the same round), order alternating.
 * `counts` gives a slow variant fewer messages (a rate is a rate), so every round lasts about as long.
 */
async function compareRounds(variants, names, n, c, counts = {}) {
  const rates = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const count = counts[name] ?? n;
      // CPU time of this process (Node-RED and the raw loop; the simulator is another process) per
      // message: far less noisy than throughput on a shared machine.
      const before = process.cpuUsage();
      rates[name].push((count * 1000) / (await variants[name](count, c)));
      const used = process.cpuUsage(before);
      cpu[name].push((used.user + used.system) / count);
    }
  }
  const out = {};
  for (const name of names) {
    const ratios = rates[name].map((rate, i) => rate / rates.raw[i]);
    out[name] = {
      msgsPerSec: median(rates[name]),
      ratio: median(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      cpuUsPerMsg: median(cpu[name]),
    };
  }
  return out;
}

async function throughput(runtime, results, table) {
  const sim = await h.SimProcess.start({ deviceCount: 100 });
  const rawAgent = new Agent({ keepAliveTimeout: 10_000 });
  try {
    const token = await rawToken(sim.info, rawAgent);
    const { flows, credentials } = downlinkFlows(sim.info);
    await runtime.deploy(flows, credentials);
    const variants = downlinkVariants(runtime, sim.info, token, rawAgent);
    for (const name of ['raw', 'ours', 'naive', 'core']) await variants[name](200, 16); // warm-up
    if (PROFILE_SECONDS > 0) return await profileRun('kpn-things-downlink', PROFILE_SECONDS, variants.ours);
    const c16 = await compareRounds(variants, ['raw', 'ours', 'naive', 'core'], N, 16, {
      core: Math.ceil(N / 5),
    });
    const c64 = await compareRounds(variants, ['raw', 'ours', 'naive'], N, 64);
    results.oursVsRawUndiciC16 = c16.ours.ratio;
    results.oursVsRawUndiciC64 = c64.ours.ratio;
    results.oursVsCoreHttpRequestC16 = c16.ours.msgsPerSec / c16.core.msgsPerSec;
    results.naiveVsRawUndiciC16 = c16.naive.ratio;
    results.naiveVsRawUndiciC64 = c64.naive.ratio;
    // CPU microseconds per message in the runtime's process (median of the rounds).
    results.cpuUsPerMsgC16 = Object.fromEntries(Object.entries(c16).map(([k, r]) => [k, r.cpuUsPerMsg]));
    results.cpuUsPerMsgC64 = Object.fromEntries(Object.entries(c64).map(([k, r]) => [k, r.cpuUsPerMsg]));
    const labels = {
      raw: 'raw undici request loop, cached token (ceiling)',
      ours: 'kpn-things-downlink',
      naive: 'naive 40-line node awaiting undici',
      core: "core 'http request' + hand-set bearer",
    };
    for (const [c, set] of [
      [16, c16],
      [64, c64],
    ]) {
      for (const [name, r] of Object.entries(set)) {
        const errors = referenceErrors[`bench-${name}`];
        table.push([
          `c=${c} ${labels[name]}`,
          fmt(r.msgsPerSec, 0),
          `${fmt(r.ratio)} (${fmt(r.min)}-${fmt(r.max)}); ${fmt(r.cpuUsPerMsg, 0)} µs CPU/msg` +
            (errors ? `; ${errors} not answered with success over the whole run` : ''),
        ]);
      }
    }
  } finally {
    await runtime.deploy([]);
    await rawAgent.close();
    await sim.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Uplinks: kpn-things-uplink vs a bare node:http server doing the same check, and vs the hand-built
// HTTP In (raw body) -> function (sha256 + JSON.parse) -> HTTP Response chain, all in this process (as
// the runtime is), each fed at c=16 on 127.0.0.1 with packs signed like KPN's by a load generator in
// its own process (KPN pushes from outside; a pusher sharing this process would dilute the ratios).
// ---------------------------------------------------------------------------------------------------

const UPLINK_SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';

/** The load generator in its own process (scripts/bench-pusher.js); push(url, n, c) -> ms. */
function startPusher() {
  const child = fork(path.join(__dirname, 'bench-pusher.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let queue = Promise.resolve();
  const push = (label, url, n, c) => {
    const job = queue.then(
      () =>
        new Promise((resolve, reject) => {
          child.once('message', (answer) => {
            if (answer.error) return reject(new Error(`pusher: ${answer.error}`));
            if (answer.failed) failures.push(`${label}: ${answer.failed} of ${n} failed`);
            resolve(answer.ms);
          });
          child.send({ url, n, c, secret: UPLINK_SECRET });
        }),
    );
    queue = job.catch(() => undefined);
    return job;
  };
  const close = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.disconnect();
    });
  return { push, close };
}

/** For --profile-ours / --profile-uplink: runs only that node's variant (c=16) for `seconds`. */
async function profileRun(label, seconds, run) {
  const until = Date.now() + seconds * 1000;
  let sent = 0;
  while (Date.now() < until) sent += (await run(N, 16), N);
  console.log(`profiled ${label} for ${seconds} s: ${sent} messages`);
}

/** closedLoop over the items; records a failure line when `send` answered false for any item. */
async function requestLoop(label, items, c, send) {
  const { ms, failed } = await closedLoop(items, c, send);
  if (failed) failures.push(`${label}: ${failed} of ${items.length} failed`);
  return ms;
}

/** The ceiling: a bare node:http server that reads the body, checks the token and parses the JSON. */
function bareUplinkServer() {
  const secret = Buffer.from(UPLINK_SECRET);
  const sink = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['things-message-token'] ?? ''), 'hex');
      const expected = createHash('sha256').update(body).update(secret).digest();
      if (given.length !== 32 || !timingSafeEqual(given, expected)) {
        res.writeHead(403).end();
        return;
      }
      if (sink.push(JSON.parse(body.toString('utf8'))) > 1000) sink.length = 0;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
      }),
    ),
  );
}

function uplinkFlows() {
  const z = 'bench-uplink-tab';
  const flows = [
    { id: z, type: 'tab', label: 'uplink bench' },
    {
      id: 'bench-uplink',
      type: 'kpn-things-uplink',
      z,
      url: '/bench/uplink',
      maxBody: 256,
      body: 'senml',
      split: 'pack',
      duplicates: 'drop',
      recentIdsStore: '',
      auth: 'none',
      version: 1,
      // Wired, as users run it: each uplink msg is delivered to a next node (a sink that drops it).
      wires: [['bench-uplink-sink']],
    },
    { id: 'bench-uplink-sink', type: 'harness-sink', z, kind: 'ok', wires: [] },
    {
      id: 'bench-handbuilt-in',
      type: 'http in',
      z,
      url: '/bench/handbuilt',
      method: 'post',
      upload: false,
      skipBodyParsing: true,
      swaggerDoc: '',
      wires: [['bench-handbuilt-check']],
    },
    {
      id: 'bench-handbuilt-check',
      type: 'function',
      z,
      name: 'verify + parse',
      // The correct hand-built check: hash the raw bytes (not re-encoded JSON), constant-time compare.
      func: [
        "const given = Buffer.from(String(msg.req.headers['things-message-token'] || ''), 'hex');",
        `const expected = crypto.createHash('sha256').update(msg.payload).update(${JSON.stringify(UPLINK_SECRET)}).digest();`,
        'if (given.length !== 32 || !crypto.timingSafeEqual(given, expected)) {',
        "  msg.statusCode = 403; msg.payload = 'Forbidden'; return msg;",
        '}',
        'msg.senml = JSON.parse(msg.payload.toString());',
        "msg.statusCode = 200; msg.payload = 'OK';",
        'return msg;',
      ].join('\n'),
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [{ var: 'crypto', module: 'crypto' }],
      wires: [['bench-handbuilt-out']],
    },
    { id: 'bench-handbuilt-out', type: 'http response', z, statusCode: '', headers: {}, wires: [] },
  ];
  return { flows, credentials: { 'bench-uplink': { sharedSecret: UPLINK_SECRET } } };
}

function uplinkVariants(runtime, bare, pusher) {
  const nodeBase = runtime.adminUrl.replace(/\/admin$/, '');
  return {
    raw: (n, c) => pusher.push('bare http server', bare.url, n, c),
    uplink: (n, c) => pusher.push('kpn-things-uplink', `${nodeBase}/bench/uplink`, n, c),
    handbuilt: (n, c) => pusher.push('hand-built chain', `${nodeBase}/bench/handbuilt`, n, c),
  };
}

async function uplink(runtime, results, table) {
  const pusher = startPusher();
  const bare = await bareUplinkServer();
  try {
    const { flows, credentials } = uplinkFlows();
    await runtime.deploy(flows, credentials);
    const variants = uplinkVariants(runtime, bare, pusher);
    for (const name of ['raw', 'uplink', 'handbuilt']) await variants[name](500, 16); // warm-up
    if (PROFILE_UPLINK_SECONDS > 0)
      return await profileRun('kpn-things-uplink', PROFILE_UPLINK_SECONDS, variants.uplink);
    const c16 = await compareRounds(variants, ['raw', 'uplink', 'handbuilt'], N, 16);
    results.uplinkVsRawHttpC16 = c16.uplink.ratio;
    results.uplinkVsHandBuiltC16 = c16.uplink.msgsPerSec / c16.handbuilt.msgsPerSec;
    const labels = {
      raw: 'bare node:http server, sha256 check + JSON.parse (ceiling)',
      uplink: 'kpn-things-uplink',
      handbuilt: 'HTTP In (raw body) -> function -> HTTP Response',
    };
    for (const [name, r] of Object.entries(c16)) {
      table.push([
        `uplinks c=16 ${labels[name]}`,
        fmt(r.msgsPerSec, 0),
        `${fmt(r.ratio)} (${fmt(r.min)}-${fmt(r.max)}) of the bare server; ${fmt(r.cpuUsPerMsg, 0)} µs CPU/msg`,
      ]);
    }
    table.push([
      'uplinks c=16 kpn-things-uplink vs hand-built chain',
      '',
      `${fmt(results.uplinkVsHandBuiltC16)}x (want >= 3)`,
    ]);
  } finally {
    await runtime.deploy([]);
    await bare.close();
    await pusher.close();
  }
}

async function tokens(runtime, results, table) {
  // Cold start: a fresh simulator (so a fresh token cache key), 64 messages at once.
  {
    const sim = await h.SimProcess.start({ deviceCount: 20 });
    const { flows, credentials } = h.flowOf(sim.info, [h.chainOf(h.DOWNLINK, sim.info)]);
    await runtime.deploy(flows, credentials);
    const result = await h.startRun(h.driverOf(h.chainId(h.DOWNLINK)), {
      n: 64,
      concurrency: 64,
      message: (i) => downlinkMessage(sim.info, i),
    }).done;
    check(result, 'cold start', 64);
    results.tokenRequestsColdStart = (await sim.stats()).tokenRequests;
    if (results.tokenRequestsColdStart !== 1) {
      failures.push(
        `cold start: ${results.tokenRequestsColdStart} token requests for 64 concurrent messages (want 1)`,
      );
    }
    table.push([
      'token requests, cold start, 64 concurrent',
      String(results.tokenRequestsColdStart),
      'want 1',
    ]);
    await runtime.deploy([]);
    await sim.close();
  }
  // A scaled day: 24 token lifetimes of 0.25 s under steady load.
  {
    const lifetime = 0.25;
    const sim = await h.SimProcess.start({ deviceCount: 20, tokenLifetimeSeconds: lifetime });
    const { flows, credentials } = h.flowOf(sim.info, [h.chainOf(h.DOWNLINK, sim.info)]);
    await runtime.deploy(flows, credentials);
    const run = h.startRun(h.driverOf(h.chainId(h.DOWNLINK)), {
      n: 1_000_000,
      concurrency: 16,
      message: (i) => downlinkMessage(sim.info, i),
      timeoutMs: 60_000,
    });
    await h.sleep(24 * lifetime * 1000);
    run.stop();
    const result = await run.done;
    const stats = await sim.stats();
    results.tokenRequestsScaledDay = stats.tokenRequests;
    table.push([
      `token requests, 24 lifetimes (${lifetime} s) under load`,
      String(stats.tokenRequests),
      `want ~24; ${result.counts.ok} ok, ${result.counts.catch} failed`,
    ]);
    await runtime.deploy([]);
    await sim.close();
  }
}

async function splitPeakRss(runtime, devices) {
  const sim = await h.SimProcess.start({ deviceCount: devices, customerCount: 0 });
  try {
    const chain = {
      id: 'bench-split',
      type: 'kpn-things-devices',
      props: { ...h.DEVICES.props(sim.info), output: 'split', maxItems: String(devices * 2) },
    };
    const { flows, credentials } = h.flowOf(sim.info, [chain]);
    await runtime.deploy(flows, credentials);
    global.gc?.();
    await h.sleep(200);
    // RSS is the measure; the heap and external fields say which part grew (old space: promoted garbage).
    const FIELDS = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'];
    const base = process.memoryUsage();
    const peak = { ...base };
    // V8's committed size per heap space: tells whether the heap itself grew, or native memory did.
    const spaces = () =>
      Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.physical_space_size]));
    const baseSpaces = spaces();
    const peakSpaces = { ...baseSpaces };
    const sample = () => {
      const now = process.memoryUsage();
      for (const f of FIELDS) peak[f] = Math.max(peak[f], now[f]);
      for (const [name, size] of Object.entries(spaces()))
        peakSpaces[name] = Math.max(peakSpaces[name], size);
    };
    const sampler = setInterval(sample, 10);
    const result = await h.startRun(h.driverOf('bench-split'), {
      n: 1,
      concurrency: 1,
      expected: devices,
      message: () => ({ payload: '' }),
      timeoutMs: 180_000,
    }).done;
    clearInterval(sampler);
    sample();
    if (result.counts.ok !== devices) failures.push(`split ${devices}: ${result.counts.ok} messages`);
    const grown = {};
    for (const f of FIELDS) grown[f] = (peak[f] - base[f]) / 1024 / 1024;
    grown.newSpace = (peakSpaces.new_space - baseSpaces.new_space) / 1024 / 1024;
    grown.oldSpace = (peakSpaces.old_space - baseSpaces.old_space) / 1024 / 1024;
    // What stays after a full collection: the list's own retained memory (garbage excluded).
    global.gc?.();
    grown.heapUsedAfterGc = (process.memoryUsage().heapUsed - base.heapUsed) / 1024 / 1024;
    return { mb: grown.rss, grown, ms: result.ms };
  } finally {
    await runtime.deploy([]);
    await sim.close();
  }
}

/**
 * Peak RSS growth of one split run, in a fresh process so no earlier run has grown the heap.
 * `v8Flags` run the child with other V8 flags (the control below switches the optimizing compilers off).
 */
function splitInChild(devices, v8Flags = []) {
  const { execFileSync } = require('node:child_process');
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', ...v8Flags, path.join(__dirname, 'bench.js'), '--split-child', String(devices)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const result = JSON.parse(out.trim().split('\n').pop());
  failures.push(...result.failures);
  return result;
}

/** SPLIT_ROUNDS runs per size, each in a fresh process, the sizes alternating. */
function splitRounds(v8Flags) {
  const rounds = Math.max(1, Number(process.env.SPLIT_ROUNDS || 5));
  const small = [];
  const large = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) small.push(splitInChild(10_000, v8Flags));
    large.push(splitInChild(100_000, v8Flags));
    if (r % 2 === 1) small.push(splitInChild(10_000, v8Flags));
  }
  const mid = (runs) => runs.find((run) => run.mb === median(runs.map((x) => x.mb)));
  const range = (runs) =>
    `${fmt(Math.min(...runs.map((x) => x.mb)), 1)}-${fmt(Math.max(...runs.map((x) => x.mb)), 1)}`;
  return { rounds, s: mid(small), l: mid(large), smallRange: range(small), largeRange: range(large) };
}

// Maglev and TurboFan off: what V8's optimizing compilers allocate (native zone memory on their
// threads, more of it the longer a run lasts) is then out of the measure, and what is left is the
// package's and the runtime's own memory.
const NO_OPTIMIZER = ['--no-opt', '--no-maglev'];

async function split(_runtime, results, table) {
  // Each round in a fresh process (a run leaves its pages resident, so a second run in the same
  // process would measure less); the median of SPLIT_ROUNDS rounds per size.
  const { rounds, s, l, smallRange, largeRange } = splitRounds([]);
  const parts = (run) =>
    `heapTotal +${fmt(run.grown.heapTotal, 1)}, heapUsed +${fmt(run.grown.heapUsed, 1)}, ` +
    `external +${fmt(run.grown.external, 1)}, arrayBuffers +${fmt(run.grown.arrayBuffers, 1)} MB; ` +
    `V8 new space +${fmt(run.grown.newSpace, 1)}, old space +${fmt(run.grown.oldSpace, 1)} MB committed; ` +
    `heap after a full GC ${run.grown.heapUsedAfterGc >= 0 ? '+' : ''}${fmt(run.grown.heapUsedAfterGc, 1)} MB`;
  results.splitPeakRssMb10k = s.mb;
  results.splitPeakRssMb100k = l.mb;
  table.push([
    'split 10 000 devices: peak RSS growth (MB)',
    fmt(s.mb, 1),
    `${fmt(s.ms / 1000, 1)} s; median of ${rounds} (${smallRange}); ${parts(s)}`,
  ]);
  table.push([
    'split 100 000 devices: peak RSS growth (MB)',
    fmt(l.mb, 1),
    `${fmt(l.ms / 1000, 1)} s; median of ${rounds} (${largeRange}); ${parts(l)}; ` +
      `${fmt(l.mb / s.mb)}x of 10k (want <= 1.25x)`,
  ]);
  const control = splitRounds(NO_OPTIMIZER);
  results.splitPeakRssMb10kNoOptimizer = control.s.mb;
  results.splitPeakRssMb100kNoOptimizer = control.l.mb;
  table.push([
    `split, control (${NO_OPTIMIZER.join(' ')}): 10 000 / 100 000 devices (MB)`,
    `${fmt(control.s.mb, 1)} / ${fmt(control.l.mb, 1)}`,
    `${fmt(control.s.ms / 1000, 1)} / ${fmt(control.l.ms / 1000, 1)} s; medians of ${control.rounds} ` +
      `(${control.smallRange} / ${control.largeRange}); ${fmt(control.l.mb / control.s.mb)}x; ` +
      `the growth without the optimizing compilers' memory`,
  ]);
}

async function redeploy(runtime, results, table) {
  const sim = await h.SimProcess.start({ deviceCount: 20 });
  try {
    await sim.inject({ route: '*', latencyMs: 30, rate: 0.5 });
    const { grown, logs, outcomes } = await h.redeployUnderLoad(runtime, sim, REDEPLOYS);
    results.leakedHandlesAfterRedeploys = h.total(grown);
    const cancelLines = logs.filter((line) => /cancel/i.test(line)).length;
    table.push([
      `handles left after ${REDEPLOYS} redeploys under load`,
      String(results.leakedHandlesAfterRedeploys),
      `${JSON.stringify(grown)}; ${outcomes} outcomes; ${cancelLines} log lines about cancelled calls`,
    ]);
  } finally {
    await runtime.deploy([]);
    await sim.close();
  }
}

async function splitChild(devices) {
  const runtime = await h.sharedRuntime();
  try {
    // Warm up on a small list first (lazy compilation, inline caches, the first pages), so the
    // measure is the list's, not the first call's.
    await splitPeakRss(runtime, 500);
    const result = await splitPeakRss(runtime, devices);
    console.log(JSON.stringify({ ...result, failures }));
  } finally {
    await h.stopSharedRuntime();
  }
}

async function main() {
  const splitDevices = Number(argValue('--split-child') || 0);
  if (splitDevices > 0) return splitChild(splitDevices);
  const started = Date.now();
  const runtime = await h.sharedRuntime();
  const results = {
    tokenRequestsColdStart: null,
    tokenRequestsScaledDay: null,
    oursVsRawUndiciC16: null,
    oursVsRawUndiciC64: null,
    oursVsCoreHttpRequestC16: null,
    uplinkVsRawHttpC16: null,
    uplinkVsHandBuiltC16: null,
    splitPeakRssMb10k: null,
    splitPeakRssMb100k: null,
    splitPeakRssMb10kNoOptimizer: null,
    splitPeakRssMb100kNoOptimizer: null,
    leakedHandlesAfterRedeploys: null,
  };
  const table = [];
  const sections = { throughput, uplink, tokens, split, redeploy };
  try {
    for (const [name, section] of Object.entries(sections)) {
      if (PROFILE_SECONDS > 0 && name !== 'throughput') continue;
      if (PROFILE_UPLINK_SECONDS > 0 && name !== 'uplink') continue;
      if (ONLY && ONLY !== name) continue;
      const t = Date.now();
      await section(runtime, results, table);
      console.error(`  ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await h.stopSharedRuntime();
  }
  if (PROFILE_SECONDS > 0 || PROFILE_UPLINK_SECONDS > 0) return;
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => row[i].length), 8));
  console.log(
    `\nReal Node-RED runtime, simulator in a child process, ${ROUNDS} rounds of ${N} messages (median; min-max)`,
  );
  console.log(`${'measure'.padEnd(widths[0])}  ${'msgs/s'.padStart(widths[1])}  vs raw undici / note`);
  for (const row of table)
    console.log(`${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2]}`);
  results.rounds = ROUNDS;
  results.messagesPerRound = N;
  results.seconds = Math.round((Date.now() - started) / 1000);
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), RESULTS)} (${results.seconds} s)`);
  if (failures.length > 0) {
    console.error(`\nInvariants broken:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
