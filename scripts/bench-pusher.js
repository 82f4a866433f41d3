'use strict';
// The uplink benchmark's load generator, in its own process (as KPN pushes from outside): it signs
// KPN-style packs and POSTs them, C at a time, to the URL the parent names, and answers with the ms
// it took and how many were not answered 200. Started by scripts/bench.js; talks over IPC only.
//   parent -> { url, n, c, secret }   child -> { ms, failed }
const { createHash } = require('node:crypto');
const { Agent, request } = require('undici');
const { closedLoop } = require('./closed-loop');

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
let sequence = 0;

/** A KPN-style raw LoRa Extended pack (Java-style numbers), unique per call, and its token. */
function signedUplink(secret) {
  const i = sequence++;
  const body = Buffer.from(
    `[{"bn":"urn:dev:DEVEUI:0059AC00000000${String(i % 100).padStart(2, '0')}:","bt":1.76675482e9,` +
      `"n":"payload","vs":"1b0c${(i & 0xffffff).toString(16).padStart(6, '0')}"},{"n":"port","v":3.0},` +
      `{"n":"FCntUp","v":${i}.0},{"n":"LrrRSSI","v":-87.0},{"n":"LrrSNR","v":7.25},{"n":"timeOrigin","vs":"NETWORK"}]`,
  );
  const token = createHash('sha256').update(body).update(secret, 'utf8').digest('hex');
  return { body, token };
}

function pushLoop({ url, n, c, secret }) {
  return closedLoop(
    Array.from({ length: n }, () => signedUplink(secret)),
    c,
    async ({ body, token }) => {
      const res = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'things-message-token': token,
          'things-plug-uuid': '5bd1ef2c-6a06-4b58-9d5d-6c0b6a7d2b10',
        },
        body,
      });
      await res.body.dump();
      return res.statusCode === 200;
    },
  );
}

process.on('message', (job) => {
  pushLoop(job).then(
    (result) => process.send(result),
    (err) => process.send({ error: String(err && err.stack ? err.stack : err) }),
  );
});
process.on('disconnect', () => void agent.close().finally(() => process.exit(0)));
