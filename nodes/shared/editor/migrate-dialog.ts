/**
 * The saved-shape migration (nodes/shared/schema.ts, migrate) when a dialog opens: the dialog's inputs
 * show the current shape, and saving stores the current `version`.
 */
import { migrate, type NodeSchema } from '../schema';
import type { IdPrefix } from './dialog';
import type { EditorNode } from './red';

/** For `oneditprepare`, before the TypedInputs are set up: fills the inputs from the migrated settings. */
export function migrateDialog(node: EditorNode, schema: NodeSchema, prefix: IdPrefix = 'node-input-'): void {
  const current = migrate(schema, node);
  for (const [name, value] of Object.entries(current)) {
    if (node[name] === value) continue;
    const input = $(`#${prefix}${name}`);
    if (!input.length) continue;
    if (input.is(':checkbox')) input.prop('checked', value === true);
    else input.val(value === undefined || value === null ? '' : String(value));
  }
}

/** For `oneditsave`: the node is saved in the current shape. */
export function saveVersion(node: EditorNode, schema: NodeSchema): void {
  node.version = schema.version;
}
