'use strict';
// The benchmarks' load loop (scripts/bench.js and its uplink pusher, scripts/bench-pusher.js).
const { performance } = require('node:perf_hooks');

/**
 * Runs `send(item)` for every item, `c` at a time (a closed loop, as the harness's driver node does):
 * the next item goes as soon as one is answered. Resolves to the ms it took and how many items `send`
 * answered false for.
 */
async function closedLoop(items, c, send) {
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < items.length) {
        if (!(await send(items[next++]))) failed++;
      }
    }),
  );
  return { ms: performance.now() - start, failed };
}

module.exports = { closedLoop };
