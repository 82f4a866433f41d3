'use strict';
// npm run soak: the reliability suite (test/reliability) at larger counts for longer. Not in CI.
// SOAK_FACTOR (default 10) multiplies the message counts and redeploys; everything on 127.0.0.1.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const factor = Math.max(1, Number(process.env.SOAK_FACTOR || 10));
const env = {
  ...process.env,
  RELIABILITY_MESSAGES: String(2000 * factor),
  HOSTILE_MESSAGES: String(150 * factor),
  REDEPLOYS: String(50 * factor),
  RELIABILITY_TIMEOUT_MS: String(120_000 * factor),
};
const mocha = path.join(__dirname, '..', 'node_modules', 'mocha', 'bin', 'mocha.js');
console.log(
  `soak: reliability suite x${factor} (${env.RELIABILITY_MESSAGES} messages per node, ${env.REDEPLOYS} redeploys)`,
);
const result = spawnSync(
  process.execPath,
  [mocha, '--no-config', '--exit', 'dist/test/reliability/*.reliability.js'],
  { stdio: 'inherit', env, cwd: path.join(__dirname, '..') },
);
process.exitCode = result.status ?? 1;
