/**
 * A node's editor `defaults`, derived from its schema (nodes/<name>/schema.ts): each property's default,
 * a TypedInput's `<name>Type`, the config node reference, `version`, and validators that run the same
 * checks as the runtime (nodes/shared/schema.ts, checkSetting) and answer with the catalogue's message.
 */
import { checkSetting, settingText, type NodeSchema, type PropertySpec } from '../schema';
import { text, translator, valueOf, type IdPrefix, type Translate } from './dialog';
import type { EditorNode, PropertyDef, Validator } from './red';

/** The node's settings as the dialog currently has them (inputs, else saved values). */
export function currentSettings(
  node: EditorNode,
  schema: NodeSchema,
  prefix: IdPrefix,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    out[name] = valueOf(node, name, prefix);
    if (spec.kind === 'typed') out[`${name}Type`] = valueOf(node, `${name}Type`, prefix) || spec.defaultType;
  }
  return out;
}

/** The catalogue message for a failed check: by the error's code, else the property's default message. */
function messageFor(spec: PropertySpec, error: unknown, t: Translate): string {
  const code = (error as { code?: unknown }).code;
  const key = (typeof code === 'string' ? spec.message?.[code] : undefined) ?? spec.message?.default;
  if (key) return t(key, spec.messageParams);
  return error instanceof Error ? error.message : String(error);
}

function validatorFor(schema: NodeSchema, name: string, spec: PropertySpec, prefix: IdPrefix): Validator {
  const t = translator(schema.type);
  return function (this: EditorNode, value: unknown, options?: unknown): boolean | string {
    const settings = currentSettings(this, schema, prefix);
    if (spec.applies && !spec.applies(settings)) return true;
    const type = spec.kind === 'typed' ? String(settings[`${name}Type`]) : undefined;
    if (spec.kind === 'typed' && type !== spec.literal && text(value) !== '') {
      return RED.utils.validateTypedProperty(settingText(value), String(type), options);
    }
    const error = checkSetting(spec, name, value, type, settings);
    return error === undefined ? true : messageFor(spec, error, t);
  };
}

/** Node-RED `defaults` for the properties of `schema`. */
export function defaultsFrom(
  schema: NodeSchema,
  prefix: IdPrefix = 'node-input-',
): Record<string, PropertyDef> {
  const defaults: Record<string, PropertyDef> = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    const def: PropertyDef = { value: spec.value };
    if (spec.required) def.required = true;
    if (spec.nodeType) def.type = spec.nodeType;
    if (spec.check) def.validate = validatorFor(schema, name, spec, prefix);
    defaults[name] = def;
    if (spec.kind === 'typed') defaults[`${name}Type`] = { value: spec.defaultType };
  }
  defaults.version = { value: schema.version };
  return defaults;
}
