import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';

/** The built node folders (catalogues merged with the shared one), and the sources they came from. */
const root = path.join(__dirname, '..', '..');
const built = path.join(root, 'dist', 'nodes');
/** Every node the package declares (package.json "node-red.nodes"). */
const NODES = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })[
    'node-red'
  ].nodes,
);
const LANGS = ['en-US', 'nl'];

type Catalogue = Record<string, unknown>;

function catalogue(node: string, lang: string): Catalogue {
  return JSON.parse(
    fs.readFileSync(path.join(built, node, 'locales', lang, `${node}.json`), 'utf8'),
  ) as Catalogue;
}

function flatKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => flatKeys(child, prefix ? `${prefix}.${key}` : key));
}

function has(cat: Catalogue, key: string): boolean {
  const keys = new Set(flatKeys(cat));
  return keys.has(key) || (keys.has(`${key}_one`) && keys.has(`${key}_other`));
}

/** Keys the runtime asks for: ctx.t('…') (node-relative) and 'kpn-things.…' literals (shared). */
function runtimeKeys(node: string): string[] {
  const sources = [path.join(root, 'nodes', node), path.join(root, 'nodes', 'shared')];
  const keys = new Set<string>();
  for (const dir of sources) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      // A literal ending in '.' is a key prefix (the hint codes' prefix), not a key.
      for (const m of text.matchAll(/'(kpn-things\.[\w.-]+)'/g)) if (!m[1].endsWith('.')) keys.add(m[1]);
      if (dir.endsWith(node))
        for (const m of text.matchAll(/ctx\.t\('([\w.-]+)'/g)) keys.add(`${node}.${m[1]}`);
    }
  }
  // list-output.ts is shared by the list nodes (those that import it): its keys belong to each of them.
  const own = fs.readdirSync(sources[0]).filter((f) => f.endsWith('.ts'));
  if (
    own.some((f) => fs.readFileSync(path.join(sources[0], f), 'utf8').includes("'../shared/list-output'"))
  ) {
    const text = fs.readFileSync(path.join(root, 'nodes', 'shared', 'list-output.ts'), 'utf8');
    for (const m of text.matchAll(/ctx\.t\('([\w.-]+)'/g)) keys.add(`${node}.${m[1]}`);
  }
  return [...keys];
}

/** The picker's message names, from the compiled editor code (nodes/shared/editor/picker.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PICKER_MESSAGES } = require(
  path.join(root, 'dist', 'editor', 'nodes', 'shared', 'editor', 'picker.js'),
) as {
  PICKER_MESSAGES: readonly string[];
};

/** Message keys written as string literals in editor code: 'kpn-things….…', icon file names aside. */
function literalKeys(code: string): string[] {
  return [...code.matchAll(/(?<!icon:\s*)'(kpn-things[\w-]*\.[\w.-]+)'/g)].map((m) => m[1]);
}

/**
 * Keys the built .html uses (its template and its bundled editor code): data-i18n="…", this._("…"),
 * key literals ('kpn-things….…'), and for a node with a picker (setupPicker({ type: '<node>' })),
 * '<node>.picker.<name>' for each of the picker's messages.
 */
function editorKeys(node: string): string[] {
  const html = fs.readFileSync(path.join(built, node, `${node}.html`), 'utf8');
  const keys = new Set<string>();
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(';')) keys.add(part.replace(/^\[[^\]]+\]/, ''));
  }
  for (const m of html.matchAll(/\._\(\s*['"]([\w.-]+)['"]/g)) keys.add(m[1]);
  for (const key of literalKeys(html)) keys.add(key);
  if (new RegExp(`setupPicker\\)\\(\\{\\s*type: '${node}'`).test(html)) {
    assert.ok(PICKER_MESSAGES.length > 0, 'the picker has no messages');
    for (const name of PICKER_MESSAGES) keys.add(`${node}.picker.${name}`);
  }
  return [...keys].filter((k) => !k.startsWith('node-red:'));
}

describe('message catalogues and help', () => {
  for (const node of NODES) {
    describe(node, () => {
      it('has the same keys in every language', () => {
        const [first, ...rest] = LANGS.map((lang) => flatKeys(catalogue(node, lang)).sort());
        for (const other of rest) assert.deepEqual(other, first);
      });

      it('has every key the runtime uses, in every language', () => {
        for (const lang of LANGS) {
          const cat = catalogue(node, lang);
          for (const key of runtimeKeys(node)) assert.ok(has(cat, key), `${lang} lacks ${key}`);
        }
      });

      it('has every key the editor uses, in every language', () => {
        for (const lang of LANGS) {
          const cat = catalogue(node, lang);
          for (const key of editorKeys(node)) assert.ok(has(cat, key), `${lang} lacks ${key}`);
        }
      });

      it('has help in every language, with inputs and outputs described', () => {
        for (const lang of LANGS) {
          const help = fs.readFileSync(path.join(built, node, 'locales', lang, `${node}.html`), 'utf8');
          assert.match(help, new RegExp(`data-help-name="${node}"`));
          if (node !== 'kpn-things-config') assert.match(help, /message-properties/);
        }
      });

      it('has its help sections filled in: no section or block left, every list closed', () => {
        for (const lang of LANGS) {
          const help = fs.readFileSync(path.join(built, node, 'locales', lang, `${node}.html`), 'utf8');
          // `{{msg.x}}` path examples stay; `{{> x}}`, `{{#> x}}`, `{{/x}}` and `{{content}}` must not.
          assert.doesNotMatch(help, /\{\{[>#/]|\{\{content\}\}/, `${lang}: a help section was left unfilled`);
          for (const tag of ['dl', 'ol', 'ul', 'li', 'p']) {
            const open = help.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
            const close = help.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
            assert.equal(open, close, `${lang}: ${open} <${tag}> but ${close} </${tag}>`);
          }
        }
      });

      it('carries its editor code (no script loaded from elsewhere) and its template, partials filled in', () => {
        const html = fs.readFileSync(path.join(built, node, `${node}.html`), 'utf8');
        assert.doesNotMatch(html, /<script[^>]*\ssrc=/);
        // The form (the editor code may hold `{{msg.x}}` path examples of lib's messages).
        const form = html.slice(html.indexOf('data-template-name'));
        assert.doesNotMatch(form, /\{\{/, 'a partial or parameter was left unfilled');
        assert.match(html, new RegExp(`<script type="text/html" data-template-name="${node}">`));
      });

      it('registers its type literally for the Flow Library scorecard', () => {
        const html = fs.readFileSync(path.join(built, node, `${node}.html`), 'utf8');
        assert.match(
          html,
          new RegExp(`<script type="text/javascript">[\\s\\S]*RED\\.nodes\\.registerType\\(\\s*'${node}'`),
        );
      });
    });
  }
});
