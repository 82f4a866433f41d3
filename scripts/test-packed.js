'use strict';
// `npm run test:packed`: tests what users install, the packed tarball.
//
// 1. A clean build (`npm run clean && npm run build`, as prepack), so no leftovers get packed.
// 2. `npm pack --ignore-scripts` into .tmp/packed/, extracted to .tmp/packed/package/.
// 3. The tarball must hold the runtime (dist/lib); per node of package.json "node-red.nodes" its .js,
//    its .html (with a literal registerType), its en-US message catalogue and help; every icon the
//    nodes name; examples/*.json flows, README.md and LICENSE. It must not hold tests, TypeScript
//    sources (.d.ts declarations are fine), .ci, node_modules or coverage. The editor code is bundled into
//    each .html; any resources/<module>/… file a node's .html loads must be there too (Node-RED serves
//    the package's resources/ folder there).
// 4. mocha runs dist/test/nodes.test.js with NODES_DIR = the extracted dist/nodes, so every node is
//    loaded from the tarball's files (scripts/mocha-check-origins.js proves it); undici and the test
//    helper resolve from this repo's node_modules, as .tmp/ is inside the repo.
const fs = require('node:fs');
const path = require('node:path');
const {
  ROOT,
  step,
  rel,
  seconds,
  cleanBuild,
  packAndExtract,
  runMocha,
  formatCounts,
  main,
  readPackageJson,
} = require('./common');

const PACK_DIR = path.join(ROOT, '.tmp', 'packed');
const HELP_LANG = 'en-US';

/** Paths that must never be in the tarball, with the reason shown when one is. */
const FORBIDDEN = [
  [/^dist\/test\//, 'compiled tests'],
  [/(?<!\.d)\.(ts|mts|cts)$/, 'TypeScript source'],
  [/^(test|tests|lib|nodes|scripts)\//, 'source folder'],
  [/(^|\/)\.ci\//, 'CI files'],
  [/(^|\/)node_modules\//, 'node_modules'],
  [/(^|\/)(coverage|\.nyc_output)\//, 'coverage output'],
  [/(^|\/)\.(tmp|compat|demo)\//, 'local scratch folder'],
  [/(^|\/)\.env$|\.tgz$/, 'secrets or nested tarball'],
];

const CORE_ICONS = path.join(ROOT, 'node_modules', '@node-red', 'nodes', 'icons');

/** What each declared node needs beside its .js, relative to its folder. */
function nodeProblems(pkgDir, name, jsFile) {
  const dir = path.dirname(path.join(pkgDir, jsFile));
  const has = (file) => fs.existsSync(path.join(dir, file));
  const problems = [];
  if (!has(path.basename(jsFile))) problems.push(`${jsFile} is missing`);
  const htmlFile = path.basename(jsFile).replace(/\.js$/, '.html');
  const html = has(htmlFile) ? fs.readFileSync(path.join(dir, htmlFile), 'utf8') : undefined;
  if (html === undefined) problems.push(`${htmlFile} is missing`);
  else if (!new RegExp(`registerType\\(\\s*['"]${name}['"]`).test(html)) {
    problems.push(`${htmlFile} has no literal registerType('${name}', ...)`);
  }
  if (!has(path.join('locales', HELP_LANG, `${name}.json`))) {
    problems.push(`locales/${HELP_LANG}/${name}.json (message catalogue) is missing`);
  }
  const prefix = `${readPackageJson(pkgDir).name}/`;
  for (const [, file] of (html ?? '').matchAll(/<script[^>]*\ssrc="resources\/([^"]+)"/g)) {
    if (!file.startsWith(prefix)) problems.push(`${htmlFile} loads resources/${file}, not of this package`);
    else if (!fs.existsSync(path.join(pkgDir, 'resources', file.slice(prefix.length)))) {
      problems.push(`${htmlFile} loads resources/${file}, which is missing`);
    }
  }
  const helpInline = html !== undefined && html.includes(`data-help-name="${name}"`);
  if (!helpInline && !has(path.join('locales', HELP_LANG, `${name}.html`))) {
    problems.push(`no help: neither locales/${HELP_LANG}/${name}.html nor data-help-name in ${htmlFile}`);
  }
  return problems.map((p) => `${name}: ${p}`);
}

/**
 * Node-RED pools the icons/ folders beside a module's node files for all its nodes, so every icon a
 * node's .html names (`icon: 'x.svg'`) must be in one of them, unless it is Font Awesome or a core icon.
 */
function iconProblems(pkgDir, nodeFiles) {
  const dirs = [...new Set(nodeFiles.map((file) => path.join(pkgDir, path.dirname(file), 'icons')))];
  const shipped = new Set(dirs.filter((dir) => fs.existsSync(dir)).flatMap((dir) => fs.readdirSync(dir)));
  if (shipped.size === 0) return ['no icons/ folder beside any node file'];
  const core = new Set(fs.existsSync(CORE_ICONS) ? fs.readdirSync(CORE_ICONS) : []);
  const problems = [];
  for (const file of nodeFiles) {
    const htmlFile = path.join(pkgDir, file.replace(/\.js$/, '.html'));
    const html = fs.existsSync(htmlFile) ? fs.readFileSync(htmlFile, 'utf8') : '';
    for (const [, icon] of html.matchAll(/\bicon\s*:\s*['"]([^'"]+)['"]/g)) {
      if (icon.startsWith('font-awesome/') || shipped.has(icon) || core.has(icon)) continue;
      problems.push(`${path.basename(htmlFile)} uses icon ${icon}, which no icons/ folder holds`);
    }
  }
  return problems;
}

function exampleProblems(pkgDir) {
  const dir = path.join(pkgDir, 'examples');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (files.length === 0) return ['examples/ has no .json flow'];
  return files.flatMap((file) => {
    try {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      return Array.isArray(flow) ? [] : [`examples/${file} is not a flow (JSON array)`];
    } catch (err) {
      return [`examples/${file} is not valid JSON: ${err.message}`];
    }
  });
}

function contentProblems(pkgDir, files) {
  const pkg = readPackageJson(pkgDir);
  const problems = [];
  for (const file of ['README.md', 'LICENSE', pkg.main]) {
    if (!files.includes(file)) problems.push(`${file} is missing`);
  }
  if (!files.some((f) => f.startsWith('dist/lib/'))) problems.push('dist/lib/ is missing');
  for (const [name, jsFile] of Object.entries(pkg['node-red'].nodes)) {
    problems.push(...nodeProblems(pkgDir, name, jsFile));
  }
  problems.push(...iconProblems(pkgDir, Object.values(pkg['node-red'].nodes)));
  problems.push(...exampleProblems(pkgDir));
  for (const file of files) {
    const hit = FORBIDDEN.find(([pattern]) => pattern.test(file));
    if (hit) problems.push(`${file} must not be shipped (${hit[1]})`);
  }
  return problems;
}

function kB(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

main(async () => {
  const started = Date.now();
  step('Build');
  await cleanBuild();

  step(`npm pack --ignore-scripts into ${rel(PACK_DIR)}`);
  const packed = await packAndExtract(PACK_DIR);
  console.log(
    `${rel(packed.tarball)}: ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${packed.entryCount} files`,
  );

  step('Tarball contents');
  const problems = contentProblems(packed.packageDir, packed.files);
  for (const problem of problems) console.log(`  ✖ ${problem}`);
  if (problems.length === 0)
    console.log('  ✔ runtime, nodes (.js/.html/locales/icons), editor resources, examples, README, LICENSE');

  step('Node tests with the nodes loaded from the tarball');
  const nodesDir = path.join(packed.packageDir, 'dist', 'nodes');
  const result = await runMocha({
    files: [path.join(ROOT, 'dist', 'test', 'nodes.test.js')],
    env: { NODES_DIR: nodesDir },
  });

  const ok = problems.length === 0 && result.ok;
  console.log(
    `\ntest:packed ${ok ? 'OK' : 'FAILED'}: ${path.basename(packed.tarball)} ` +
      `(${kB(packed.size)}, ${packed.entryCount} files, ${problems.length} content problem(s)); ` +
      `tests from ${rel(nodesDir)}: ${formatCounts(result)} (${seconds(Date.now() - started)})`,
  );
  return ok ? 0 : 1;
});
