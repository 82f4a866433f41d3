/**
 * kpn-things-request: its settings, once (see nodes/shared/schema.ts). The literal checks are lib's own
 * (lib/resources/request.ts), so the dialog and the runtime refuse the same paths and media types.
 */
import { checkPathTemplate, mediaRange, mediaType, REQUEST_METHODS } from '../../lib/resources/request';
import { TEXT_TYPES } from '../shared/list-filters';
import {
  ACTION_PROPERTIES,
  choice,
  defineSchema,
  LIST_PROPERTIES,
  setting,
  typed,
  type SettingCheck,
  type SettingsOf,
  type TypedInputType,
  type TypedProperty,
} from '../shared/schema';

/** The method options: the five methods, or 'msg' (msg.method). */
export const METHOD_OPTIONS = [
  ...(REQUEST_METHODS as readonly ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  'msg',
] as const;

const QUERY_TYPES: readonly TypedInputType[] = ['json', 'msg', 'flow', 'global', 'jsonata'];
const MEDIA_TYPES_INPUT: readonly TypedInputType[] = ['str', 'msg', 'env'];

/** A media-type setting (Accept, Content-Type): text, checked by lib when literal; empty means lib's default. */
function mediaTypeInput(check: SettingCheck, name: string): TypedProperty {
  return typed({
    value: '',
    types: MEDIA_TYPES_INPUT,
    defaultType: 'str',
    literal: 'str',
    since: 1,
    check,
    message: { default: `kpn-things-request.errors.${name}` },
  });
}

export const requestSchema = defineSchema({
  type: 'kpn-things-request',
  version: 1,
  properties: {
    ...ACTION_PROPERTIES,
    method: choice(METHOD_OPTIONS, { since: 1 }),
    // Empty: msg.path. `{{msg.x}}` parts are filled in per message.
    path: typed({
      value: '',
      types: TEXT_TYPES,
      defaultType: 'str',
      literal: 'str',
      since: 1,
      check: (text) => checkPathTemplate(text),
      message: { default: 'kpn-things-request.errors.path' },
    }),
    // '{}' rather than '': the JSON TypedInput marks empty text invalid.
    query: typed({ value: '{}', types: QUERY_TYPES, defaultType: 'json', literal: 'str', since: 1 }),
    accept: mediaTypeInput((text, field) => mediaRange(text, field), 'accept'),
    contentType: mediaTypeInput((text, field) => mediaType(text, field), 'contentType'),
    // Walk an answer that is a page as a list node does (all, split, page); off: the answer as it came.
    paginate: setting(true, { since: 1 }),
    output: LIST_PROPERTIES.output,
    maxItems: {
      ...LIST_PROPERTIES.maxItems,
      applies: (settings) => settings.paginate !== false && settings.output !== 'page',
    },
  },
});

export type RequestDef = SettingsOf<typeof requestSchema.properties> & {
  id: string;
  type: string;
  z: string;
};
