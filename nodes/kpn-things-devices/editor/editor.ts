/** The kpn-things-devices dialog. Defaults, validators and TypedInputs come from ../schema.ts. */
import { actionNodeEditor } from '../../shared/editor/action-editor';
import type { EditorNode } from '../../shared/editor/red';
import { CURRENT_ONLY, devicesSchema } from '../schema';

export const definition = actionNodeEditor(devicesSchema, {
  icon: 'kpn-things.svg',
  label(this: EditorNode) {
    if (this.name) return String(this.name);
    let label = this._('kpn-things-devices.label.node');
    if ((this.searchType || 'str') === 'str' && this.search) label += ` "${String(this.search)}"`;
    if (this.api === 'beta') label += ' (beta)';
    return label;
  },
  prepare() {
    $('#node-input-maxItems').spinner({ min: 1 });
    $('#node-input-api')
      .on('change', function () {
        const beta = $(this).val() === 'beta';
        $('.kpn-things-devices-current-only').toggle(!beta);
        $('#kpn-things-devices-beta-tip').toggle(beta);
        // Re-check the hidden filters: a value there is refused by the beta API.
        for (const prop of CURRENT_ONLY) $(`#node-input-${prop}`).trigger('change');
      })
      .trigger('change');
    $('#node-input-output')
      .on('change', function () {
        $('#kpn-things-devices-maxItems-row').toggle($(this).val() !== 'page');
      })
      .trigger('change');
  },
  save() {
    if ($('#node-input-api').val() === 'beta') {
      // The beta API has none of these filters: drop them rather than fail at run time.
      for (const prop of CURRENT_ONLY) $(`#node-input-${prop}`).typedInput('value', '');
    }
  },
});
