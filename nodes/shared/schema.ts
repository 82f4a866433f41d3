/**
 * A node's settings, declared once (nodes/<name>/schema.ts) and used by both sides:
 * - the runtime: `DefOf<S>` is the typed saved definition (so `ctx.property('devEUI')` is checked by the
 *   compiler), `migrate()` brings an older saved shape to the current one when the node is created, and
 *   `checkSettings()` finds a wrong literal setting once, when the node starts;
 * - the editor (bundled from nodes/<name>/editor/editor.ts): the `defaults` with their validators, the
 *   same migration when the dialog opens, and the shared constants.
 * Browser-safe: no Node-RED import, and from lib/ only pure checks called with text.
 *
 * Recipe for a new node (e.g. an uplink receiver, a downlinks list, a generic request):
 * 1. nodes/<name>/schema.ts: `defineSchema({ type, version: 1, properties: { ... } })` with `typed()`,
 *    `choice()` and `setting()`; each property says the version that introduced it (`since`), and a
 *    later rename adds a step to `migrations` (version → function of the older def).
 * 2. nodes/<name>/<name>.ts: `registerActionNode(RED, schema, action)` (nodes/shared/action-node.ts), or
 *    for a node without an input port its own constructor calling `migrate()` and `checkSettings()`.
 * 3. nodes/<name>/<name>-action.ts: the work over lib/, typed by `ActionContext<DefOf<typeof schema>>`.
 * 4. nodes/<name>/editor/template.html (form rows; `{{> partial args}}` for the shared rows of
 *    nodes/shared/editor/partials/) and editor/editor.ts (`actionNodeEditor(schema, { ... })`).
 * 5. nodes/<name>/locales/<lang>/<name>.json and <name>.html (help; `{{> section}}` for the shared help
 *    sections of nodes/shared/locales/<lang>/help/).
 * 6. package.json "node-red.nodes", an example flow in examples/, and tests.
 *
 * Note on renames: the editor keeps only the properties a node declares, so it drops an old name when it
 * loads a flow; the runtime sees the whole saved definition. A rename therefore migrates at runtime from
 * the flow file, and in the dialog only while the old name is still declared (not possible for one-letter
 * names such as 0.1.0's `q`, which Node-RED 4.1 reserves).
 */

import { ValidationError } from '../../lib/validate';

/** The TypedInput types the nodes offer. */
export type TypedInputType =
  'str' | 'num' | 'bool' | 'json' | 'bin' | 'msg' | 'flow' | 'global' | 'env' | 'jsonata';

/** The saved settings as the checks see them: any property, by name. */
export type SettingsView = Readonly<Record<string, unknown>>;

/**
 * A check of a literal setting: throws a lib/validate ValidationError (field, problem, hint) when `text`
 * is wrong. `settings` are the node's other settings (for checks that depend on them).
 */
export type SettingCheck = (text: string, field: string, settings: SettingsView) => void;

interface PropertyBase {
  /** The schema version that introduced this property (1 for those of 0.1.0). */
  readonly since: number;
  /** Checks the value when it is literal and not blank; see `SettingCheck`. */
  readonly check?: SettingCheck;
  /** The editor's message key when the check fails (per ValidationError code, else `default`). */
  readonly message?: { readonly default: string; readonly [code: string]: string };
  /** Parameters of the editor message. */
  readonly messageParams?: Readonly<Record<string, string | number>>;
  /** False when the setting does not apply for these settings (then it is not checked). */
  readonly applies?: (settings: SettingsView) => boolean;
  /** The editor insists on a value. */
  readonly required?: boolean;
  /** A reference to a config node of this type. */
  readonly nodeType?: string;
  /** The check applies to a blank value too (else blank means "not set"). */
  readonly checkBlank?: boolean;
}

/** A TypedInput: the value, and its type saved as `<name>Type`. */
export interface TypedProperty extends PropertyBase {
  readonly kind: 'typed';
  readonly value: string;
  readonly types: readonly TypedInputType[];
  /** The type of a new node, and of a saved node that has none. */
  readonly defaultType: TypedInputType;
  /** The type whose text `check` applies to. */
  readonly literal: 'str' | 'num';
}

/** One of a fixed set of values (a select). */
export interface ChoiceProperty<O extends string = string> extends PropertyBase {
  readonly kind: 'choice';
  readonly options: readonly O[];
  readonly value: O;
}

/** A plain setting: text, a number or a flag. */
export interface SettingProperty<
  V extends string | number | boolean = string | number | boolean,
> extends PropertyBase {
  readonly kind: 'setting';
  readonly value: V;
}

export type PropertySpec = TypedProperty | ChoiceProperty | SettingProperty;
export type Properties = Readonly<Record<string, PropertySpec>>;

/** A step of the saved shape: takes a definition of version `to - 1` to version `to`. */
export type Migration = (def: Record<string, unknown>) => Record<string, unknown>;

export interface CredentialSpec {
  readonly type: 'text' | 'password';
}

export interface NodeSchema<P extends Properties = Properties> {
  /** The node type, as registered. */
  readonly type: string;
  /** The current version of the saved shape (0.1.0 saved none: version 0). */
  readonly version: number;
  readonly properties: P;
  /** Renames and reshapes, by the version they lead to (filling in new properties is automatic). */
  readonly migrations?: Readonly<Record<number, Migration>>;
  readonly credentials?: Readonly<Record<string, CredentialSpec>>;
}

type ValueOf<S extends PropertySpec> =
  S extends ChoiceProperty<infer O> ? O : S extends SettingProperty<infer V> ? V : string;

/** The saved settings of a node of schema `S`: each property, `<name>Type` for TypedInputs, `version`. */
export type SettingsOf<P extends Properties> = { [K in keyof P]: ValueOf<P[K]> } & {
  [K in keyof P as P[K] extends TypedProperty ? `${K & string}Type` : never]: string;
} & { version: number };

/** The names of the TypedInput properties of a definition (those with a `<name>Type`). */
export type TypedNames<D> = {
  [K in keyof D & string]: `${K}Type` extends keyof D ? K : never;
}[keyof D & string];

export function defineSchema<const P extends Properties>(schema: NodeSchema<P>): NodeSchema<P> {
  return schema;
}

/** A TypedInput property. */
export function typed(spec: Omit<TypedProperty, 'kind'>): TypedProperty {
  return { kind: 'typed', ...spec };
}

/** A select of fixed options; the first of `options` is the default unless `value` says otherwise. */
export function choice<const O extends string>(
  options: readonly O[],
  spec: Omit<ChoiceProperty<O>, 'kind' | 'options' | 'value'> & { value?: O },
): ChoiceProperty<O> {
  return { kind: 'choice', options, value: spec.value ?? options[0], ...spec } as ChoiceProperty<O>;
}

/** A plain text, number or flag setting. */
export function setting<V extends string | number | boolean>(
  value: V,
  spec: Omit<SettingProperty<V>, 'kind' | 'value'>,
): SettingProperty<V extends string ? string : V extends number ? number : boolean> {
  return { kind: 'setting', value, ...spec } as unknown as SettingProperty<
    V extends string ? string : V extends number ? number : boolean
  >;
}

/** The version a saved definition has: 0 for 0.1.0, which saved none. */
export function savedVersion(def: SettingsView): number {
  const version = Number(def.version);
  return Number.isInteger(version) && version > 0 ? version : 0;
}

/**
 * Takes a saved definition of any older version to the current shape (a new object; `def` is left as it
 * is): runs the migration steps in order, then gives each property introduced after the saved version
 * its default (and a TypedInput without a saved type its default type), and sets `version`.
 */
export function migrate<P extends Properties>(
  schema: NodeSchema<P>,
  def: object,
): Record<string, unknown> & SettingsOf<P> {
  const from = savedVersion(def as SettingsView);
  let out: Record<string, unknown> = { ...def };
  for (let version = from + 1; version <= schema.version; version++) {
    const step = schema.migrations?.[version];
    if (step) out = step(out);
  }
  for (const [name, spec] of Object.entries(schema.properties)) {
    if (spec.since > from && out[name] === undefined) out[name] = spec.value;
    if (spec.kind === 'typed' && !out[`${name}Type`]) out[`${name}Type`] = spec.defaultType;
  }
  out.version = schema.version;
  return out as Record<string, unknown> & SettingsOf<P>;
}

/** Text of a setting: '' for undefined and null. */
export function settingText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * The first wrong setting of a (migrated) definition, as the check's error (a ValidationError), or undefined: a choice
 * outside its options, or a literal value (TypedInput of its literal type, or a plain setting) that its
 * check refuses. Settings read from msg, context, env or JSONata are checked per message instead.
 */
export function checkSettings(schema: NodeSchema, def: SettingsView): unknown {
  for (const [name, spec] of Object.entries(schema.properties)) {
    const error = checkSetting(spec, name, def[name], def[`${name}Type`], def);
    if (error !== undefined) return error;
  }
  return undefined;
}

/** The error of one setting, or undefined when it is fine (also used by the editor's validators). */
export function checkSetting(
  spec: PropertySpec,
  name: string,
  value: unknown,
  type: unknown,
  settings: SettingsView,
): unknown {
  if (spec.applies && !spec.applies(settings)) return undefined;
  const text = settingText(value);
  if (spec.kind === 'choice') {
    if ((spec.options as readonly string[]).includes(text)) return undefined;
    return new ValidationError({
      field: name,
      code: 'missing_setting',
      value: text,
      problem: `is none of ${spec.options.join(', ')}`,
      hint: `open the node and choose one; ${JSON.stringify(text)} may come from a newer version of this package.`,
    });
  }
  if ((text === '' && !spec.checkBlank) || !spec.check) return undefined;
  if (spec.kind === 'typed' && (settingText(type) || spec.defaultType) !== spec.literal) return undefined;
  try {
    spec.check(text, name, settings);
    return undefined;
  } catch (err) {
    return err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Properties shared by the action nodes

/** The cap on items of a list node's "all" and "split" output when none is set. */
export const DEFAULT_MAX_ITEMS = 10_000;

/** Every action node: its name, its config node, and where its errors go. */
export const ACTION_PROPERTIES = {
  name: setting('', { since: 1 }),
  config: setting('', { since: 1, required: true, nodeType: 'kpn-things-config' }),
  /** Send errors to a second output instead of to Catch nodes. */
  errorOutput: setting(false, { since: 1 }),
} as const;

/** A whole number of at least 1 (a list node's maxItems). */
export function checkMaxItems(text: string, field: string): void {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new ValidationError({
      field,
      code: 'invalid_limit',
      value: text,
      problem: 'is not a whole number of at least 1',
      hint: `set "Max items" in the node to e.g. ${DEFAULT_MAX_ITEMS}.`,
    });
  }
}

/** The output mode of a list node and its cap (not used for one page per message). */
export const LIST_PROPERTIES = {
  output: choice(['all', 'split', 'page'] as const, { since: 1 }),
  maxItems: setting(DEFAULT_MAX_ITEMS, {
    since: 1,
    check: checkMaxItems,
    applies: (settings) => settings.output !== 'page',
    message: { default: 'kpn-things.errors.max-items' },
  }),
} as const;
