/**
 * The editor definition of an action node from its schema: defaults and validators, TypedInputs set up
 * from the declared types, the saved-shape migration when the dialog opens, the error output, and the
 * look every KPN Things node shares. The node adds its label and the behaviour of its own rows.
 */
import type { NodeSchema } from '../schema';
import { defaultsFrom } from './defaults';
import { outputLabels, saveErrorOutput } from './error-output';
import { migrateDialog, saveVersion } from './migrate-dialog';
import type { EditorNode, NodeDefinition } from './red';

export interface ActionEditorOptions {
  icon: string;
  label(this: EditorNode): string;
  /** After the shared setup (migration, TypedInputs). */
  prepare?(this: EditorNode): void;
  /** Before the shared save (version, outputs). */
  save?(this: EditorNode): void;
}

export const CATEGORY = 'KPN Things';
export const COLOR = '#73D673';

/** Sets up the TypedInput of every TypedInput property of `schema` that the dialog has. */
export function setupTypedInputs(schema: NodeSchema): void {
  for (const [name, spec] of Object.entries(schema.properties)) {
    if (spec.kind !== 'typed') continue;
    const input = $(`#node-input-${name}`);
    if (!input.length) continue;
    input.typedInput({
      default: spec.defaultType,
      types: [...spec.types],
      typeField: `#node-input-${name}Type`,
    });
  }
}

export function actionNodeEditor(schema: NodeSchema, options: ActionEditorOptions): NodeDefinition {
  return {
    category: CATEGORY,
    color: COLOR,
    defaults: { ...defaultsFrom(schema), outputs: { value: 1 } },
    inputs: 1,
    outputs: 1,
    icon: options.icon,
    paletteLabel(this: EditorNode) {
      return this._(`${schema.type}.paletteLabel`);
    },
    label: options.label,
    labelStyle(this: EditorNode) {
      return this.name ? 'node_label_italic' : '';
    },
    outputLabels,
    oneditprepare(this: EditorNode) {
      migrateDialog(this, schema);
      setupTypedInputs(schema);
      options.prepare?.call(this);
    },
    oneditsave(this: EditorNode) {
      options.save?.call(this);
      saveVersion(this, schema);
      saveErrorOutput(this);
    },
  };
}
