'use strict';
// node scripts/bench-uplink.js (after npm run build): req/s of the uplink receiver in a bare Node
// http server vs a bare http server doing only the sha256 check + JSON.parse, at c=16 on
// 127.0.0.1. Each server runs in its own child process; the load comes from this process (undici).
// Not part of npm test. BENCH_SECONDS (default 5) per run, BENCH_ROUNDS (default 3), alternating.
const { fork } = require('node:child_process');
const { createHash, timingSafeEqual } = require('node:crypto');
const http = require('node:http');

const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);

function body(i) {
  return (
    `[{"bn":"urn:dev:DEVEUI:0059AC00000000${String(i % 100).padStart(2, '0')}:","bt":1.76675482e9,` +
    `"n":"payload","vs":"1b0c${(i & 0xffff).toString(16).padStart(4, '0')}"},{"n":"port","v":3.0},` +
    `{"n":"FCntUp","v":${i}.0},{"n":"LrrRSSI","v":-87.0},{"n":"LrrSNR","v":7.25},{"n":"timeOrigin","vs":"NETWORK"}]`
  );
}

function serve(mode) {
  let handler;
  if (mode === 'receiver') {
    const { createUplinkReceiver } = require('../dist/lib/uplink');
    // Hand the messages somewhere real (a bounded sink), as a flow would receive them.
    const sink = [];
    handler = createUplinkReceiver({
      sharedSecret: SECRET,
      onMessage: (messages) => {
        if (sink.push(messages) > 1000) sink.length = 0;
      },
    });
  } else {
    const secret = Buffer.from(SECRET);
    handler = (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const token = String(req.headers['things-message-token'] || '');
        const digest = createHash('sha256').update(raw).update(secret).digest();
        const given = Buffer.from(token, 'hex');
        if (given.length !== 32 || !timingSafeEqual(digest, given)) {
          res.writeHead(403).end();
          return;
        }
        JSON.parse(raw.toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
      });
    };
  }
  let requests = 0;
  const counted = (req, res) => {
    requests++;
    handler(req, res);
  };
  const server = http.createServer(counted);
  process.on('message', (m) => {
    if (m === 'start') {
      requests = 0;
      cpuStart = process.cpuUsage();
    } else if (m === 'stop') {
      const cpu = process.cpuUsage(cpuStart);
      process.send({ requests, cpuUs: cpu.user + cpu.system });
    }
  });
  let cpuStart = process.cpuUsage();
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

async function load(port) {
  const { Pool } = require('undici');
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1 });
  // Distinct bodies (so the receiver's duplicate memory sees no repeats), signed ahead of time.
  const requests = Array.from({ length: 50_000 }, (_, i) => {
    const b = body(i);
    return { b, token: createHash('sha256').update(b).update(SECRET).digest('hex') };
  });
  let next = 0;
  let done = 0;
  let failed = 0;
  const until = Date.now() + SECONDS * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const { b, token } = requests[next++ % requests.length];
      const res = await pool.request({
        path: '/kpn',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'things-message-token': token,
          'things-plug-uuid': 'p',
        },
        body: b,
      });
      await res.body.dump();
      if (res.statusCode === 200) done++;
      else failed++;
    }
  };
  const start = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (Date.now() - start) / 1000;
  await pool.close();
  return { rps: done / elapsed, failed };
}

async function run(mode) {
  const execArgv = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = fork(process.argv[1], ['--serve', mode], { stdio: 'inherit', execArgv });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  try {
    // Warm-up, then the measured run.
    await (async () => {
      const { Pool } = require('undici');
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
      const b = body(999_999);
      const token = createHash('sha256').update(b).update(SECRET).digest('hex');
      for (let i = 0; i < 2000; i++) {
        const res = await pool.request({
          path: '/kpn',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'things-message-token': token },
          body: b,
        });
        await res.body.dump();
      }
      await pool.close();
    })();
    child.send('start');
    const result = await load(port);
    child.send('stop');
    const { requests, cpuUs } = await new Promise((resolve) => child.once('message', resolve));
    return { ...result, cpuPerRequestUs: cpuUs / requests };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  }
}

async function main() {
  const results = { bare: [], receiver: [] };
  const cpu = { bare: [], receiver: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['bare', 'receiver'] : ['receiver', 'bare'];
    for (const mode of order) {
      const r = await run(mode);
      if (r.failed) throw new Error(`${mode}: ${r.failed} requests failed`);
      results[mode].push(r.rps);
      cpu[mode].push(r.cpuPerRequestUs);
      console.log(
        `round ${round + 1} ${mode.padEnd(8)} ${Math.round(r.rps)} req/s, server CPU ${r.cpuPerRequestUs.toFixed(1)} µs/request`,
      );
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const bare = median(results.bare);
  const receiver = median(results.receiver);
  console.log(
    `\nc=${CONCURRENCY}, ${SECONDS} s x ${ROUNDS} rounds, medians: bare sha256+JSON.parse ${Math.round(bare)} req/s, ` +
      `uplink receiver ${Math.round(receiver)} req/s, ratio ${(receiver / bare).toFixed(2)}; server CPU per request: ` +
      `bare ${median(cpu.bare).toFixed(1)} µs, receiver ${median(cpu.receiver).toFixed(1)} µs`,
  );
}

if (process.argv[2] === '--serve') serve(process.argv[3]);
else
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
