'use strict';
// Mocha root-hook plugin (`mocha --require scripts/mocha-check-origins.js`), used by test-compat.js
// and test-packed.js. Before the first test (the test files are loaded by then) it proves that the
// run tests what it claims, and fails the run otherwise:
// - NODE_RED_PATH set: the test helper (resolved from this repo's node_modules) drives THAT Node-RED:
//   same red.js module, runtime internals from the same install; prints the version the runtime
//   reports. EXPECT_NODE_RED_MAJOR (optional) is the major version it must report.
// - NODES_DIR set: every node of package.json "node-red.nodes" was loaded from NODES_DIR, and no
//   file of the build output dist/nodes was loaded at all.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const TAG = '[origins]';

function rel(file) {
  return path.relative(ROOT, file);
}

function loaded(predicate) {
  return Object.keys(require.cache).filter(predicate);
}

function isInside(file, dir) {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function checkRuntime(redPath, expectedMajor) {
  const helper = require('node-red-node-test-helper');
  const RED = require(redPath);
  if (helper._RED !== RED) throw new Error(`${TAG} the test helper does not drive ${redPath}`);
  const install = path.resolve(redPath, '..', '..', '..'); // <install>/node_modules/node-red/lib/red.js
  const [internals] = loaded((file) => require.cache[file].exports === helper._redNodes);
  if (!internals || !isInside(internals, install)) {
    throw new Error(`${TAG} the helper's runtime internals come from ${internals}, not from ${install}`);
  }
  const version = String(RED.version());
  console.log(`  ${TAG} Node-RED runtime ${version} (${rel(redPath)}) on Node ${process.version}`);
  console.log(`  ${TAG} runtime internals used by the test helper: ${rel(internals)}`);
  if (expectedMajor && version.split('.')[0] !== expectedMajor) {
    throw new Error(`${TAG} expected Node-RED ${expectedMajor}.x, the runtime reports ${version}`);
  }
}

function checkNodesDir(nodesDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const expected = Object.values(pkg['node-red'].nodes).map((file) =>
    path.join(nodesDir, path.relative('dist/nodes', file)),
  );
  const missing = expected.filter((file) => !require.cache[file]);
  if (missing.length) throw new Error(`${TAG} not loaded from NODES_DIR: ${missing.map(rel).join(', ')}`);
  const fromBuild = loaded((file) => isInside(file, path.join(ROOT, 'dist', 'nodes')));
  if (fromBuild.length) throw new Error(`${TAG} loaded from dist/nodes: ${fromBuild.map(rel).join(', ')}`);
  const fromNodesDir = loaded((file) => isInside(file, path.join(nodesDir, '..', '..')));
  console.log(
    `  ${TAG} ${expected.length} nodes and ${fromNodesDir.length} modules in all loaded from the package at ${rel(path.join(nodesDir, '..', '..'))}; none from dist/nodes`,
  );
}

module.exports = {
  mochaHooks: {
    beforeAll() {
      if (process.env.NODE_RED_PATH) {
        checkRuntime(path.resolve(process.env.NODE_RED_PATH), process.env.EXPECT_NODE_RED_MAJOR);
      }
      if (process.env.NODES_DIR) checkNodesDir(path.resolve(process.env.NODES_DIR));
    },
  },
};
