/** The optional error output of the action nodes (the errorOutput checkbox; `outputs` is 1 or 2). */
import type { EditorNode } from './red';

/** `outputLabels`: 'result', then 'error'. */
export function outputLabels(this: EditorNode, index: number): string {
  return index === 0 ? this._('kpn-things.label.result') : this._('kpn-things.label.error');
}

/** For `oneditsave`: two outputs while "send errors to a second output" is ticked, else one. */
export function saveErrorOutput(node: EditorNode): void {
  node.outputs = $('#node-input-errorOutput').prop('checked') ? 2 : 1;
}
