'use strict';
// Puts what tsc does not compile into the build output, beside each node's JS (Node-RED looks for
// <name>.html, locales/ and icons/ next to each node file):
// - the editor .html, as written (its registerType call must stay literal for the Flow Library scorecard);
// - the locales: help .html as is, and each message catalogue merged with the shared one
//   (nodes/shared/locales/<lang>/common.json, keys under "kpn-things.") so common keys live in one file;
// - the shared icons, once.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const nodesSrc = path.join(root, 'nodes');
const nodesOut = path.join(root, 'dist', 'nodes');
const sharedLocales = path.join(nodesSrc, 'shared', 'locales');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

for (const name of fs.readdirSync(nodesSrc)) {
  const srcDir = path.join(nodesSrc, name);
  if (!fs.existsSync(path.join(srcDir, `${name}.html`))) continue;
  const outDir = path.join(nodesOut, name);
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(path.join(srcDir, `${name}.html`), path.join(outDir, `${name}.html`));
  const locales = path.join(srcDir, 'locales');
  if (fs.existsSync(locales)) {
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
          fs.copyFileSync(src, path.join(langOut, file));
        }
      }
    }
  }
}

// Node-RED collects icons from every node folder of a module and serves them for all its nodes, so one
// copy (beside the config node) is enough; a copy per folder would list each icon once per node.
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'kpn-things-config', 'icons'), { recursive: true });
