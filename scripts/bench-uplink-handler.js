'use strict';
// node scripts/bench-uplink-handler.js (after npm run build): the CPU cost per request of the uplink
// receiver's handler vs a bare sha256 + JSON.parse handler, driven in-process with stream requests
// and stub responses (no sockets), so a busy machine's network noise stays out. Not part of npm test.
const { Readable } = require('node:stream');
const { createHash, timingSafeEqual } = require('node:crypto');
const { createUplinkReceiver } = require('../dist/lib/uplink');
const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
function body(i) {
  return `[{"bn":"urn:dev:DEVEUI:0059AC00000000${String(i % 100).padStart(2, '0')}:","bt":1.76675482e9,"n":"payload","vs":"1b0c${(i & 0xffff).toString(16).padStart(4, '0')}"},{"n":"port","v":3.0},{"n":"FCntUp","v":${i}.0},{"n":"LrrRSSI","v":-87.0},{"n":"LrrSNR","v":7.25},{"n":"timeOrigin","vs":"NETWORK"}]`;
}
const reqs = Array.from({ length: 50000 }, (_, i) => {
  const b = Buffer.from(body(i));
  return { b, token: createHash('sha256').update(b).update(SECRET).digest('hex') };
});
function mkReq({ b, token }) {
  const r = new Readable({ read() {} });
  r.method = 'POST';
  r.headers = {
    'content-type': 'application/json',
    'content-length': String(b.length),
    'things-message-token': token,
    'things-plug-uuid': 'p',
  };
  r.complete = false;
  r.socket = { remoteAddress: '127.0.0.1' };
  r.push(b);
  r.push(null);
  r.on('end', () => {
    r.complete = true;
  });
  return r;
}
function mkRes(done) {
  return {
    headersSent: false,
    destroyed: false,
    writeHead(s) {
      this.status = s;
      return this;
    },
    end() {
      this.headersSent = true;
      done(this.status);
    },
  };
}
const secret = Buffer.from(SECRET);
const bare = (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const d = createHash('sha256').update(raw).update(secret).digest();
    const g = Buffer.from(String(req.headers['things-message-token']), 'hex');
    if (g.length !== 32 || !timingSafeEqual(d, g)) {
      res.writeHead(403).end();
      return;
    }
    JSON.parse(raw.toString('utf8'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
  });
};
async function run(name, handler, n) {
  const t0 = process.cpuUsage();
  const s = process.hrtime.bigint();
  let bad = 0;
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) =>
      handler(
        mkReq(reqs[i % 50000]),
        mkRes((st) => {
          if (st !== 200) bad++;
          resolve();
        }),
      ),
    );
  }
  const cpu = process.cpuUsage(t0);
  const wall = Number(process.hrtime.bigint() - s) / 1e3 / n;
  return { name, wallUs: wall, cpuUs: (cpu.user + cpu.system) / n, bad };
}
(async () => {
  const sink = [];
  const receiver = createUplinkReceiver({
    sharedSecret: SECRET,
    onMessage: (m) => {
      if (sink.push(m) > 1000) sink.length = 0;
    },
  });
  for (let round = 0; round < 3; round++) {
    for (const [name, h] of [
      ['bare', bare],
      ['receiver', receiver],
    ]) {
      const r = await run(name, h, 40000);
      console.log(
        `${name.padEnd(8)} ${r.wallUs.toFixed(1)} µs wall, ${r.cpuUs.toFixed(1)} µs CPU per request${r.bad ? ` (${r.bad} not 200)` : ''}`,
      );
    }
  }
})();
