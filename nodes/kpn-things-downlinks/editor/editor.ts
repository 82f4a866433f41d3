/** The kpn-things-downlinks dialog. Defaults, validators and TypedInputs come from ../schema.ts. */
import { actionNodeEditor } from '../../shared/editor/action-editor';
import type { EditorNode } from '../../shared/editor/red';
import { downlinksSchema } from '../schema';

export const definition = actionNodeEditor(downlinksSchema, {
  icon: 'kpn-things-downlink.svg',
  label(this: EditorNode) {
    if (this.name) return String(this.name);
    let label = this._('kpn-things-downlinks.label.node');
    if ((this.searchType || 'str') === 'str' && this.search) label += ` "${String(this.search)}"`;
    return label;
  },
  prepare() {
    $('#node-input-maxItems').spinner({ min: 1 });
    $('#node-input-output')
      .on('change', function () {
        $('#kpn-things-downlinks-maxItems-row').toggle($(this).val() !== 'page');
      })
      .trigger('change');
  },
});
