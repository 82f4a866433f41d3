'use strict';
// Makes sure the browser tests have Debian's Chromium (playwright-core drives it; no browser download).
// Present: nothing to do. Missing, as root with apt-get (CI, a fresh dev container): installs it.
// Otherwise: fails with the command to run.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function hasAptGet() {
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (fs.existsSync(CHROMIUM)) process.exit(0);
if (process.getuid?.() === 0 && hasAptGet()) {
  console.log(`${CHROMIUM} is missing: installing Debian's chromium for the browser tests (apt-get, once)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 10 * 60_000 });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: 'inherit',
    env,
    timeout: 15 * 60_000,
  });
  if (fs.existsSync(CHROMIUM)) process.exit(0);
}
console.error(
  `The browser tests need Chromium at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium ` +
    '(or set CHROMIUM_PATH to a Chromium binary).',
);
process.exit(1);
