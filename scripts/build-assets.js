'use strict';
// Builds what Node-RED loads beside each node's JS (run after `tsc -p tsconfig.json` and
// `tsc -p tsconfig.editor.json`, by `npm run build`):
// - dist/nodes/<name>/<name>.html: the node's editor/template.html with the shared partials of
//   nodes/shared/editor/partials/ filled in (`{{> partial key="value"}}`), and its editor/editor.ts
//   (compiled to dist/editor/) bundled with what it imports into one script. That script keeps a literal
//   `RED.nodes.registerType('<type>', { ... })` with inline defaults and icon, as the Flow Library
//   scorecard only sees such calls: the keys are read from the bundle's definition at build time;
// - the locales: help .html with the shared help sections of nodes/shared/locales/<lang>/help/ filled in,
//   (`{{> section}}`, or `{{#> section}}` … `{{/section}}` around lines that take its `{{content}}` line),
//   and each message catalogue merged with the shared one (nodes/shared/locales/<lang>/common.json);
// - the shared icons, once.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const root = path.join(__dirname, '..');
const nodesSrc = path.join(root, 'nodes');
const nodesOut = path.join(root, 'dist', 'nodes');
const editorOut = path.join(root, 'dist', 'editor');
const sharedLocales = path.join(nodesSrc, 'shared', 'locales');
const partialsDir = path.join(nodesSrc, 'shared', 'editor', 'partials');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** `dir/name.html`, or a build error naming the file that asked for it. */
function partialFile(dir, name, where) {
  const file = path.join(dir, `${name}.html`);
  if (!fs.existsSync(file)) throw new Error(`${where}: no partial ${path.relative(root, file)}`);
  return file;
}

/**
 * Fills in each block `{{#> name}}` … `{{/name}}` (both alone on their lines) with `dir/name.html`, the lines
 * between standing, at its indentation, where that partial has its `{{content}}` line.
 */
function wrap(source, dir, where) {
  const block = /^([ \t]*)\{\{#>\s*([\w/-]+)\s*\}\}\n([\s\S]*?)\n[ \t]*\{\{\/\2\}\}[ \t]*$/gm;
  return source.replace(block, (_all, indent, name, inner) => {
    const lines = inner.split('\n');
    const cut = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
    const body = fs
      .readFileSync(partialFile(dir, name, where), 'utf8')
      .trimEnd()
      .replace(/^([ \t]*)\{\{content\}\}[ \t]*$/m, (_m, pad) =>
        lines.map((l) => (l.trim() ? pad + l.slice(cut) : '')).join('\n'),
      );
    return body
      .split('\n')
      .map((l) => (l ? indent + l : l))
      .join('\n');
  });
}

/** Fills in `{{> name key="value" …}}` with `dir/name.html`, its `{{key}}` replaced (unset keys: ''). */
function expand(source, dir, where, context = {}) {
  const text = wrap(source, dir, where);
  return text.replace(/\{\{>\s*([\w/-]+)((?:\s+\w+="[^"]*")*)\s*\}\}/g, (_all, name, args, offset) => {
    // A partial alone on its (indented) line keeps that indentation on every line.
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const indent = /^[ \t]*$/.test(text.slice(lineStart, offset)) ? text.slice(lineStart, offset) : '';
    const file = partialFile(dir, name, where);
    const params = { prefix: 'node-input-', input: 'text', ns: context.type };
    for (const [, key, value] of args.matchAll(/(\w+)="([^"]*)"/g)) params[key] = value;
    // `{{options}}`: the options of choice property `prop`, from the node's schema (one source).
    const choices = context.schema?.properties?.[params.prop]?.options;
    if (choices) {
      params.options = choices
        .map((o) => `    <option value="${o}" data-i18n="${params.ns}.${params.prop}.${o}"></option>`)
        .join('\n');
    }
    const body = fs
      .readFileSync(file, 'utf8')
      .replace(/\{\{\?(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, key, inner) => (params[key] ? inner : ''))
      .replace(/\{\{(\w+)\}\}/g, (_m, key) => params[key] ?? '');
    const filled = expand(
      body.replace(/ class="([^"]*?)\s+"/g, ' class="$1"').trimEnd(),
      dir,
      where,
      context,
    );
    return filled.replace(/\n(?=.)/g, `\n${indent}`);
  });
}

/**
 * One script from a compiled CommonJS module and the modules it requires (relative paths only: the
 * editor runs in the browser, so anything else is a build error). An expression that returns its exports.
 */
function bundle(entry) {
  const ids = new Map();
  const modules = [];
  function add(file) {
    if (ids.has(file)) return ids.get(file);
    const id = modules.length;
    ids.set(file, id);
    modules.push(null);
    const deps = {};
    const code = fs.readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, '');
    for (const [, spec] of code.matchAll(/require\("([^"]+)"\)/g)) {
      if (!spec.startsWith('.')) {
        throw new Error(
          `${path.relative(root, file)}: editor code may not require "${spec}" (browser bundle)`,
        );
      }
      let target = path.resolve(path.dirname(file), spec);
      target = fs.existsSync(`${target}.js`) ? `${target}.js` : path.join(target, 'index.js');
      deps[spec] = add(target);
    }
    modules[id] =
      `  /* ${path.relative(editorOut, file)} */ [function (module, exports, require) {\n${code}\n}, ` +
      `${JSON.stringify(deps)}]`;
    return id;
  }
  add(entry);
  return `(function () {
  var modules = [
${modules.join(',\n')}
  ];
  var cache = {};
  function load(id) {
    if (cache[id]) return cache[id].exports;
    var module = (cache[id] = { exports: {} });
    modules[id][0](module, module.exports, function (spec) {
      return load(modules[id][1][spec]);
    });
    return module.exports;
  }
  return load(0);
})()`;
}

/** The node's editor script: the bundle, and the literal registerType call over its definition. */
function editorScript(type, script) {
  // Evaluated here only to list the definition's keys; functions are not called.
  const definition = vm.runInNewContext(script, {}).definition;
  if (!definition || typeof definition.icon !== 'string')
    throw new Error(`${type}: editor.ts exports no definition`);
  const lines = [];
  for (const [key, value] of Object.entries(definition)) {
    if (key === 'defaults' || key === 'credentials') {
      // Plain identifiers: the scorecard reads each key's name.
      const inner = Object.keys(value).map((name) => `        ${name}: editor.${key}.${name},`);
      lines.push(`      ${key}: {\n${inner.join('\n')}\n      },`);
    } else if (typeof value === 'function') {
      lines.push(`      ${key}: editor.${key},`);
    } else {
      lines.push(`      ${key}: ${JSON.stringify(value)},`);
    }
  }
  return `<script type="text/javascript">
  (function () {
    // Built from nodes/${type}/editor/editor.ts and the modules it imports (scripts/build-assets.js).
    var editor = ${script.replace(/\n/g, '\n    ')}.definition;
    RED.nodes.registerType('${type}', {
${lines.join('\n')}
    });
  })();
</script>`;
}

/** The node's schema (nodes/<name>/schema.ts, compiled): the exported schema of this node type. */
function nodeSchema(name) {
  const file = path.join(nodesOut, name, 'schema.js');
  if (!fs.existsSync(file)) return undefined;
  return Object.values(require(file)).find((value) => value && value.type === name && value.properties);
}

function buildEditor(name, srcDir, outDir) {
  const template = path.join(srcDir, 'editor', 'template.html');
  const entry = path.join(editorOut, 'nodes', name, 'editor', 'editor.js');
  if (!fs.existsSync(template) || !fs.existsSync(entry)) return false;
  const form = expand(fs.readFileSync(template, 'utf8'), partialsDir, path.relative(root, template), {
    type: name,
    schema: nodeSchema(name),
  });
  const html =
    `${editorScript(name, bundle(entry))}\n\n` +
    `<script type="text/html" data-template-name="${name}">\n  ${form.trimEnd().replace(/\n(?=.)/g, '\n  ')}\n</script>\n`;
  fs.writeFileSync(path.join(outDir, `${name}.html`), html);
  return true;
}

for (const name of fs.readdirSync(nodesSrc)) {
  const srcDir = path.join(nodesSrc, name);
  if (name === 'shared' || !fs.statSync(srcDir).isDirectory()) continue;
  const outDir = path.join(nodesOut, name);
  fs.mkdirSync(outDir, { recursive: true });
  if (!buildEditor(name, srcDir, outDir)) continue;
  const locales = path.join(srcDir, 'locales');
  if (!fs.existsSync(locales)) continue;
  for (const lang of fs.readdirSync(locales)) {
    const langOut = path.join(outDir, 'locales', lang);
    fs.mkdirSync(langOut, { recursive: true });
    for (const file of fs.readdirSync(path.join(locales, lang))) {
      const src = path.join(locales, lang, file);
      if (file.endsWith('.json')) {
        const common = path.join(sharedLocales, lang, 'common.json');
        const merged = { ...(fs.existsSync(common) ? readJson(common) : {}), ...readJson(src) };
        fs.writeFileSync(path.join(langOut, file), JSON.stringify(merged, null, 2) + '\n');
      } else {
        const help = expand(
          fs.readFileSync(src, 'utf8'),
          path.join(sharedLocales, lang, 'help'),
          path.relative(root, src),
        );
        fs.writeFileSync(path.join(langOut, file), help.endsWith('\n') ? help : `${help}\n`);
      }
    }
  }
}

// Node-RED collects icons from every node folder of a module and serves them for all its nodes, so one
// copy (beside the config node) is enough; a copy per folder would list each icon once per node.
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'kpn-things-config', 'icons'), { recursive: true });
