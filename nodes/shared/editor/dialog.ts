/** Reading a dialog: the node's translator, and the current value of a property (input or saved). */

/** The id prefix of a dialog's inputs: 'node-input-', or 'node-config-input-' for a config node. */
export type IdPrefix = 'node-input-' | 'node-config-input-';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** A `t(key, params)` that looks keys up in the catalogue of node type `type` (the key itself until loaded). */
export function translator(type: string): Translate {
  return (key, params) => {
    const def = RED.nodes.getType(type);
    return def && def._ ? def._(key, params) : key;
  };
}

/** `value` as trimmed text: '' for undefined and null. */
export function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * The current value of a node property: what its dialog input holds while the dialog is open and the
 * input is not empty, else the node's saved value.
 */
export function valueOf(
  node: Record<string, unknown>,
  prop: string,
  prefix: IdPrefix = 'node-input-',
): unknown {
  const input = $(`#${prefix}${prop}`);
  const value: unknown = input.length ? input.val() : undefined;
  return value !== undefined && value !== null && value !== '' ? value : node[prop];
}
