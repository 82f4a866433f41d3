/**
 * The kpn-things-request dialog. Defaults, validators and TypedInputs come from ../schema.ts; the path
 * offers the known paths of lib's endpoint table as suggestions (Node-RED's TypedInput autoComplete).
 */
import { knownPaths } from '../../../lib/resources/request';
import { actionNodeEditor } from '../../shared/editor/action-editor';
import { translator } from '../../shared/editor/dialog';
import type { EditorNode } from '../../shared/editor/red';
import { requestSchema } from '../schema';

/** The editor's own image of the text type (served by the Node-RED editor, not a node icon of this package). */
const EDITOR_TEXT_ICON = 'red/images/typedInput/az.svg';

interface Suggestion {
  value: string;
  label: JQuery;
}

/** Known paths containing what was typed (any case), the method of each shown beside it. */
export function pathSuggestions(typed: string): Suggestion[] {
  const needle = typed.trim().toLowerCase();
  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const known of knownPaths()) {
    if (needle !== '' && !known.path.toLowerCase().includes(needle)) continue;
    const methods = knownPaths()
      .filter((other) => other.path === known.path)
      .map((other) => other.method);
    if (seen.has(known.path)) continue;
    seen.add(known.path);
    const label = $('<div style="display: flex; justify-content: space-between; gap: 12px;">');
    $('<span class="kpn-things-request-path" style="font-family: monospace;">')
      .text(known.path)
      .appendTo(label);
    $('<span style="font-size: 0.8em; opacity: 0.7;">').text(methods.join(' ')).appendTo(label);
    out.push({ value: known.path, label });
  }
  return out;
}

export const definition = actionNodeEditor(requestSchema, {
  icon: 'kpn-things.svg',
  label(this: EditorNode) {
    if (this.name) return String(this.name);
    const method = this.method === 'msg' ? 'msg.method' : String(this.method || 'GET');
    const path = (this.pathType || 'str') === 'str' && this.path ? String(this.path) : '';
    return path ? `${method} ${path}` : this._('kpn-things-request.label.node');
  },
  prepare() {
    const spec = requestSchema.properties.path;
    // The literal type with the known paths as suggestions (down arrow lists them all).
    $('#node-input-path').typedInput('types', [
      {
        value: 'str',
        label: translator('kpn-things-request')('kpn-things-request.label.text'),
        icon: EDITOR_TEXT_ICON,
        autoComplete: (typed: string) => pathSuggestions(typed),
      },
      ...spec.types.filter((type) => type !== 'str'),
    ] as never);
    $('#node-input-maxItems').spinner({ min: 1 });
    const update = (): void => {
      const paged = $('#node-input-paginate').is(':checked');
      $('.kpn-things-request-paged').toggle(paged);
      $('#kpn-things-request-maxItems-row').toggle(paged && $('#node-input-output').val() !== 'page');
    };
    $('#node-input-paginate').on('change', update);
    $('#node-input-output').on('change', update);
    update();
  },
});
