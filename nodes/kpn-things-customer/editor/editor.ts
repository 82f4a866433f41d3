/** The kpn-things-customer dialog. Defaults, validators and TypedInputs come from ../schema.ts. */
import { actionNodeEditor } from '../../shared/editor/action-editor';
import { setupPicker } from '../../shared/editor/picker';
import type { EditorNode } from '../../shared/editor/red';
import { customerSchema } from '../schema';

export const definition = actionNodeEditor(customerSchema, {
  icon: 'kpn-things-customer.svg',
  label(this: EditorNode) {
    if (this.name) return String(this.name);
    if (this.mode === 'list') return this._('kpn-things-customer.label.list');
    let label = this._('kpn-things-customer.label.get');
    if (this.customerIdType === 'str' && this.customerId) label += ` ${String(this.customerId).slice(0, 8)}…`;
    return label;
  },
  prepare() {
    // Lists the customers of the selected, deployed config node to fill in the customer id.
    setupPicker({
      type: 'kpn-things-customer',
      property: 'customerId',
      endpoint: 'customers',
      itemValue: (customer) => customer.id,
    });
    $('#node-input-maxItems').spinner({ min: 1 });
    const update = (): void => {
      const list = $('#node-input-mode').val() === 'list';
      $('.kpn-things-customer-get').toggle(!list);
      if (list) $('#kpn-things-customer-picker').hide();
      $('.kpn-things-customer-list').toggle(list);
      $('#kpn-things-customer-maxItems-row').toggle(list && $('#node-input-output').val() !== 'page');
    };
    $('#node-input-mode').on('change', update);
    $('#node-input-output').on('change', update);
    update();
  },
});
