'use strict';
// Small helpers shared by scripts/scorecard.js, scripts/test-compat.js and scripts/test-packed.js:
// running a child process with a time limit, building, packing + extracting the tarball, running mocha.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const ORIGIN_CHECK = path.join(__dirname, 'mocha-check-origins.js');
const MINUTE = 60 * 1000;

function step(title) {
  console.log(`\n==> ${title}`);
}

function rel(file) {
  return path.relative(ROOT, file) || '.';
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function readPackageJson(dir = ROOT) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

const running = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child);
    process.exit(130);
  });
}

/**
 * Runs a command; resolves { code, stdout, stderr, ms } or rejects when it cannot start or runs
 * longer than timeoutMs (the whole process group is then killed). `echo` copies its output to ours.
 */
function run(cmd, args, { cwd = ROOT, env = process.env, timeoutMs = 5 * MINUTE, echo = true } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Own process group, so a time-out (or Ctrl-C here) stops the command and everything it started.
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${cmd} ${args.join(' ')} took longer than ${seconds(timeoutMs)}; stopped it`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Like run(), but a non-zero exit is an error. */
async function runOk(cmd, args, options) {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.code}`);
  return result;
}

const BUILD_OUTPUTS = ['dist/lib/index.js', 'dist/nodes', 'dist/test/nodes.test.js'];
const BUILD_INPUTS = ['lib', 'nodes', 'test', 'icons', 'tsconfig.json', 'scripts/build-assets.js'];

function newestMtime(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(file)
    .reduce((newest, entry) => Math.max(newest, newestMtime(path.join(file, entry))), stat.mtimeMs);
}

/** Why dist/ needs a build, or '' when it is there and newer than every source. */
function buildNeeded() {
  const outputs = BUILD_OUTPUTS.map((file) => path.join(ROOT, file));
  const missing = outputs.find((file) => !fs.existsSync(file));
  if (missing) return `${rel(missing)} is missing`;
  const builtAt = Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
  const inputs = BUILD_INPUTS.map((file) => path.join(ROOT, file)).filter((file) => fs.existsSync(file));
  const changed = inputs.find((file) => newestMtime(file) > builtAt);
  return changed ? `${rel(changed)} changed since the last build` : '';
}

/** Runs `npm run build`: always when `force`, else only when dist/ is missing or older than the sources. */
async function ensureBuilt({ force = false } = {}) {
  const reason = force ? 'requested' : buildNeeded();
  if (!reason) {
    console.log('dist/ is built and newer than the sources; reusing it');
    return;
  }
  console.log(`building (${reason})`);
  await runOk('npm', ['run', 'build', '--silent'], { timeoutMs: 5 * MINUTE });
  const still = buildNeeded();
  if (still.endsWith('missing')) throw new Error(`npm run build did not produce the build output: ${still}`);
}

/**
 * What `npm pack` / `npm publish` run as prepack: `npm run clean` then `npm run build`, so the tarball
 * holds no leftovers of an earlier build (files of removed sources, assets moved elsewhere).
 */
async function cleanBuild() {
  console.log('clean build, as prepack does (npm run clean && npm run build)');
  await runOk('npm', ['run', 'clean', '--silent'], { timeoutMs: MINUTE });
  await ensureBuilt({ force: true });
}

/**
 * `npm pack --ignore-scripts` (dist/ must be built) into a fresh `dir`, extracted to dir/package.
 * Resolves { tarball, packageDir, size, unpackedSize, entryCount, files }.
 */
async function packAndExtract(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const { stdout } = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    echo: false,
    timeoutMs: 2 * MINUTE,
  });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const tarball = path.join(dir, info.filename);
  await runOk('tar', ['-xzf', tarball, '-C', dir], { timeoutMs: MINUTE });
  const packageDir = path.join(dir, 'package');
  if (!fs.existsSync(path.join(packageDir, 'package.json')))
    throw new Error(`${rel(tarball)} has no package/`);
  return {
    tarball,
    packageDir,
    size: info.size,
    unpackedSize: info.unpackedSize,
    entryCount: info.entryCount,
    files: info.files.map((f) => f.path),
  };
}

function countFrom(output, word) {
  const match = new RegExp(`^\\s*(\\d+) ${word}\\b`, 'm').exec(output);
  return match ? Number(match[1]) : 0;
}

/**
 * Runs mocha (from this repo) with the given Node binary on the given test files, with
 * scripts/mocha-check-origins.js loaded to prove which Node-RED / node files are under test.
 * Resolves { ok, passing, failing, pending, ms }.
 */
async function runMocha({ node = process.execPath, files, env = {}, timeoutMs = 10 * MINUTE }) {
  const args = [MOCHA, '--no-config', '--exit', '--timeout', '20000', '--require', ORIGIN_CHECK, ...files];
  const result = await run(node, args, { env: { ...process.env, ...env }, timeoutMs });
  // eslint-disable-next-line no-control-regex
  const output = result.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const passing = countFrom(output, 'passing');
  const failing = countFrom(output, 'failing');
  const pending = countFrom(output, 'pending');
  const ok = result.code === 0 && failing === 0 && passing > 0;
  return { ok, code: result.code, passing, failing, pending, ms: result.ms };
}

function formatCounts({ passing, failing, pending }) {
  return `${passing} passing, ${failing} failing${pending ? `, ${pending} pending` : ''}`;
}

/** Runs main(); any thrown error ends the script with exit code 1 and its message. */
function main(fn) {
  fn().then(
    (code) => process.exit(code ?? 0),
    (err) => {
      console.error(`\n✖ ${err && err.message ? err.message : err}`);
      process.exit(1);
    },
  );
}

module.exports = {
  ROOT,
  MINUTE,
  step,
  rel,
  seconds,
  readPackageJson,
  run,
  runOk,
  ensureBuilt,
  cleanBuild,
  packAndExtract,
  runMocha,
  formatCounts,
  main,
};
