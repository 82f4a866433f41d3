/** The kpn-things-downlink dialog. Defaults, validators and TypedInputs come from ../schema.ts. */
import { actionNodeEditor } from '../../shared/editor/action-editor';
import { setupPicker } from '../../shared/editor/picker';
import type { EditorNode } from '../../shared/editor/red';
import { downlinkSchema } from '../schema';

/** 16 hex digits of a DevEUI as typed (separators and a urn:dev:DEVEUI: URN dropped), for the label. */
function devEUIDigits(value: string): string {
  const urn = /^urn:dev:deveui:(.*?):?$/i.exec(value);
  return (urn ? urn[1] : value).replace(/[\s:-]/g, '');
}

export const definition = actionNodeEditor(downlinkSchema, {
  icon: 'kpn-things-downlink.svg',
  label(this: EditorNode) {
    if (this.name) return String(this.name);
    let label = this._('kpn-things-downlink.label.node');
    const port = this.portType === 'num' && this.port !== '' ? String(this.port) : '';
    if (this.devEUIType === 'str' && this.devEUI) {
      const eui = devEUIDigits(String(this.devEUI)).toUpperCase();
      label += ' ' + (eui.length > 8 ? `${eui.slice(0, 4)}…${eui.slice(-4)}` : eui);
      if (port) label += `:${port}`;
    } else if (port) {
      label += ` :${port}`;
    }
    return label;
  },
  prepare() {
    // Lists the devices of the selected, deployed config node to fill in the DevEUI.
    setupPicker({
      type: 'kpn-things-downlink',
      property: 'devEUI',
      endpoint: 'devices',
      itemValue: (device) => (typeof device.devEUI === 'string' ? device.devEUI : undefined),
    });
  },
});
