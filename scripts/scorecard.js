'use strict';
// `npm run scorecard`: the Flow Library scorecard (the real `node-red-dev validate`) on the packed
// tarball, the way flows.nodered.org scores a published package.
//
// 1. A clean build (`npm run clean && npm run build`, as prepack), then `npm pack --ignore-scripts`
//    into .tmp/scorecard/, extracted there.
// 2. node-red-dev validate -p <extracted package> -o <scorecard.json>, with the preload
//    scripts/scorecard-offline-catalogue.js: the Flow Library catalogue (catalogue.nodered.org) is
//    out of reach here, so that one request gets an empty catalogue (P08 and N01 then compare against
//    nothing); every other check runs for real (P06/P07 and D02/D03 ask the npm registry).
// 3. Fails on ANY warning or failed check, with one waiver: D03 for undici, held at 7.x because
//    undici 8 needs Node 22 while Node-RED 4 users run Node 20 (the waiver re-checks that reason
//    against the registry and lapses when it stops being true).
//
// The tool's own result is not trusted blindly: P05 records a pass even when it warns, a node whose
// .html cannot be parsed is only logged ("Unable to parse") and then silently not checked, and its
// exit code is 0 with warnings. So the outcome of each check combines the scorecard JSON, the
// warnings on stderr and the log lines.
const fs = require('node:fs');
const path = require('node:path');
const {
  ROOT,
  MINUTE,
  step,
  rel,
  readPackageJson,
  run,
  runOk,
  cleanBuild,
  packAndExtract,
  main,
} = require('./common');

const WORK_DIR = path.join(ROOT, '.tmp', 'scorecard');
const VALIDATE = path.join(ROOT, 'node_modules', 'node-red-dev', 'bin', 'run');
const PRELOAD = path.join(__dirname, 'scorecard-offline-catalogue.js');
const OFFLINE_MARKER = '[offline-catalogue]';
const OLDEST_NODE = '20.18.1'; // Node-RED 4 on Node 20: the floor in engines.node

const CHECKS = {
  P01: 'license declared',
  P03: 'repository or bugs URL',
  P04: 'scoped package name',
  P05: '"node-red" keyword',
  P06: 'node-red.version admits current Node-RED',
  P07: 'engines.node admits Node-RED latest minimum Node',
  P08: 'no similar package names in the catalogue',
  N01: 'node types unique in the catalogue',
  N02: 'an example for every node',
  D01: 'at most 6 dependencies',
  D02: 'no known-bad packages in the dependency tree',
  D03: 'dependencies at their latest version',
};

/** Warnings the tool prints without a check code, mapped to the check they belong to. */
const UNCODED = [
  [/^No License/, 'P01'],
  [/^Duplicate nodename/, 'N01'],
  [/example/i, 'N02'],
];

/** oclif prints ` ›   Warning: <text>` on stderr, wrapping long text onto ` ›   ` lines. */
function parseWarnings(stderr) {
  const warnings = [];
  for (const line of stderr.split('\n')) {
    const match = /^\s*›\s+(.*)$/.exec(line);
    if (!match) continue;
    const text = match[1].trim();
    if (text.startsWith('Warning:')) warnings.push(text.slice('Warning:'.length).trim());
    else if (warnings.length) warnings[warnings.length - 1] += ` ${text}`;
  }
  return warnings.map((text) => ({ text, check: checkOf(text) }));
}

function checkOf(warning) {
  const coded = /^([PND]\d\d)\b/.exec(warning);
  if (coded) return coded[1];
  const uncoded = UNCODED.find(([pattern]) => pattern.test(warning));
  return uncoded ? uncoded[1] : undefined;
}

function versionParts(version) {
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(version));
  return match ? match.slice(1).map((n) => Number(n ?? 0)) : undefined;
}

function older([a1, a2, a3], [b1, b2, b3]) {
  return a1 !== b1 ? a1 < b1 : a2 !== b2 ? a2 < b2 : a3 < b3;
}

/**
 * The one waiver: D03 for undici held at 7.x. Returns the reason when the warning is exactly that
 * and undici's latest release still needs a newer Node than OLDEST_NODE, else undefined.
 */
async function undiciWaiver(warning) {
  const match = /^D03 undici is not at latest version, package\.json specifies: (\S+), latest is: (\S+)/.exec(
    warning.text,
  );
  if (!match) return undefined;
  const [, wanted, latest] = match;
  if (versionParts(wanted)?.[0] !== 7 || !(versionParts(latest)?.[0] >= 8)) return undefined;
  const { stdout } = await runOk('npm', ['view', `undici@${latest}`, 'engines.node'], {
    echo: false,
    timeoutMs: MINUTE,
  });
  const floor = /^\s*>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(stdout.trim());
  if (!floor || !older(versionParts(OLDEST_NODE), versionParts(floor[1]))) {
    console.log(`undici ${latest} declares engines.node "${stdout.trim()}": the D03 waiver no longer holds`);
    return undefined;
  }
  return (
    `undici held at ${wanted}: undici ${latest} needs Node ${stdout.trim()}, and Node-RED 4 users run ` +
    `Node 20 (engines.node >=${OLDEST_NODE})`
  );
}

async function runValidate(packageDir, outputFile) {
  const env = { ...process.env, FORCE_COLOR: '0' };
  const args = ['-r', PRELOAD, VALIDATE, 'validate', '-p', packageDir, '-o', outputFile];
  const result = await run(process.execPath, args, { env, timeoutMs: 5 * MINUTE });
  const scorecard = fs.existsSync(outputFile) ? JSON.parse(fs.readFileSync(outputFile, 'utf8')) : undefined;
  return { ...result, scorecard };
}

/** Problems with the run itself (not with one check). */
function runProblems({ code, stdout }, scorecard) {
  const problems = [];
  if (code !== 0) problems.push(`node-red-dev exited with ${code}`);
  if (!/^Complete$/m.test(stdout)) problems.push('node-red-dev did not reach "Complete"');
  if (!scorecard) problems.push('node-red-dev wrote no scorecard JSON');
  for (const line of stdout.split('\n').filter((l) => /Unable to parse/.test(l))) {
    problems.push(`node-red-dev could not read a node's .html, so did not check it: "${line.trim()}"`);
  }
  return problems;
}

/**
 * N02 lists the non-config node types it found in examples; a declared node missing there (and not
 * a config node) was not seen by the scorecard at all, e.g. because its registerType is not literal.
 */
function unseenNodes(packageDir, scorecard) {
  const pkg = readPackageJson(packageDir);
  const seen = new Set(scorecard?.N02?.nodes ?? []);
  return Object.entries(pkg['node-red'].nodes)
    .filter(([name]) => !seen.has(name))
    .filter(([, file]) => {
      const html = path.join(packageDir, file.replace(/\.js$/, '.html'));
      const text = fs.existsSync(html) ? fs.readFileSync(html, 'utf8') : '';
      return !/category\s*:\s*['"]config['"]/.test(text);
    })
    .map(([name]) => name);
}

async function outcomes(scorecard, warnings) {
  const rows = [];
  for (const [code, title] of Object.entries(CHECKS)) {
    const own = warnings.filter((w) => w.check === code);
    const result = scorecard?.[code];
    let outcome = result?.test === true && own.length === 0 ? 'pass' : 'FAIL';
    let detail = own.map((w) => w.text).join('; ') || (result ? '' : 'not run');
    if (outcome === 'FAIL' && code === 'D03' && own.length === 1 && result?.packages?.join() === 'undici') {
      const reason = await undiciWaiver(own[0]);
      if (reason) [outcome, detail] = ['waived', reason];
    }
    if (outcome === 'pass' && (code === 'P08' || code === 'N01')) detail = 'offline: empty catalogue';
    if (outcome === 'pass' && result?.versions) detail = `Node-RED ${result.versions.join(', ')}`;
    if (outcome === 'pass' && result?.version) detail = `engines.node ${result.version}`;
    if (outcome === 'pass' && code === 'N02') detail = `examples use ${(result.nodes ?? []).join(', ')}`;
    if (outcome === 'pass' && code === 'D01') detail = `${result.total} dependencies`;
    rows.push({ code, title, outcome, detail });
  }
  return rows;
}

function printTable(rows) {
  for (const { code, title, outcome, detail } of rows) {
    const mark = { pass: '✔', waived: '~', FAIL: '✖' }[outcome];
    console.log(`  ${mark} ${code} ${outcome.padEnd(6)} ${title.padEnd(48)} ${detail}`);
  }
}

/** Runs the scorecard on an extracted package directory and prints the outcome; resolves true when OK. */
async function score(packageDir) {
  step('node-red-dev validate (Flow Library scorecard)');
  const result = await runValidate(packageDir, path.join(path.dirname(packageDir), 'scorecard.json'));
  const { scorecard } = result;
  const offline = result.stdout.split(OFFLINE_MARKER).length - 1;
  console.log(
    `\nnote: catalogue.nodered.org is unreachable here; the preload answered its ${offline} catalogue ` +
      'request(s) with an empty catalogue, so P08 and N01 compared against nothing. All else ran for real.',
  );

  step('Scorecard');
  const warnings = parseWarnings(result.stderr);
  const rows = await outcomes(scorecard, warnings);
  printTable(rows);
  const problems = runProblems(result, scorecard);
  for (const warning of warnings.filter((w) => !w.check)) problems.push(`warning: ${warning.text}`);
  const unseen = unseenNodes(packageDir, scorecard);
  if (unseen.length) problems.push(`the scorecard saw no example for declared node(s): ${unseen.join(', ')}`);
  for (const problem of problems) console.log(`  ✖ ${problem}`);

  const failed = rows.filter((r) => r.outcome === 'FAIL').map((r) => r.code);
  const waived = rows.filter((r) => r.outcome === 'waived').map((r) => r.code);
  const ok = failed.length === 0 && problems.length === 0;
  console.log(
    `\nscorecard ${ok ? 'OK' : 'FAILED'}: ${rows.length - failed.length - waived.length} passed` +
      `${waived.length ? `, waived ${waived.join(', ')}` : ''}` +
      `${failed.length ? `, failed ${failed.join(', ')}` : ''}` +
      `${problems.length ? `, ${problems.length} other problem(s)` : ''}`,
  );
  return ok;
}

/** Build, pack, extract, score. With `--package-dir <dir>`: only score that extracted package. */
async function scorecard(argv) {
  const at = argv.indexOf('--package-dir');
  if (at >= 0) return (await score(path.resolve(argv[at + 1]))) ? 0 : 1;

  step('Build');
  await cleanBuild();

  step(`npm pack --ignore-scripts into ${rel(WORK_DIR)}`);
  const { tarball, packageDir } = await packAndExtract(WORK_DIR);
  console.log(`packed ${rel(tarball)}; validating the extracted ${rel(packageDir)}`);
  return (await score(packageDir)) ? 0 : 1;
}

main(() => scorecard(process.argv.slice(2)));
