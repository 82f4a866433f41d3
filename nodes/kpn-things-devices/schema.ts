/**
 * kpn-things-devices: its settings, once (see nodes/shared/schema.ts). The search text is stored as
 * `search` (Node-RED reserves one-letter property names) and sent as the API's `q`.
 */
import { normalizeUuid, ValidationError } from '../../lib/validate';
import {
  dateFilter,
  LIMIT_FILTER,
  SEARCH_FILTER,
  SORT_FILTER,
  TEXT_TYPES,
  NUMBER_TYPES,
} from '../shared/list-filters';
import {
  ACTION_PROPERTIES,
  choice,
  defineSchema,
  LIST_PROPERTIES,
  typed,
  type SettingCheck,
  type SettingsOf,
  type SettingsView,
} from '../shared/schema';

export { TEXT_TYPES, NUMBER_TYPES };

/** Filters of the current API that the beta API does not have. */
export const CURRENT_ONLY = [
  'clientId',
  'createdSince',
  'createdBefore',
  'modifiedSince',
  'modifiedBefore',
] as const;

const isBeta = (settings: SettingsView): boolean => settings.api === 'beta';

/** A current-API filter: refused with the beta API, else `check`. */
function currentOnly(check: SettingCheck): SettingCheck {
  return (text, field, settings) => {
    if (isBeta(settings)) {
      throw new ValidationError({
        field,
        code: 'invalid_query',
        value: text,
        problem: 'is not supported by the beta API',
        hint: 'clear this filter, or choose the current API in the node settings.',
      });
    }
    check(text, field, settings);
  };
}

const dateFilterCurrent = dateFilter(currentOnly, {
  invalid_query: 'kpn-things-devices.errors.beta-filter',
});

/**
 * 0.1.0 → 1: the search text was saved as `q` (the API's name) by flows made before 0.1.0's editor
 * (the `npm start` demo still wrote it); Node-RED 4.1 reserves one-letter property names, so it is
 * `search` now. A saved, non-empty `search` wins.
 */
function searchFromQ(def: Record<string, unknown>): Record<string, unknown> {
  const { q, qType, ...rest } = def;
  // The editor may have filled in the default '' for `search` when it imported such a node.
  if ((rest.search === undefined || rest.search === '') && q !== undefined) {
    rest.search = q;
    if (qType !== undefined) rest.searchType = qType;
  }
  return rest;
}

export const devicesSchema = defineSchema({
  type: 'kpn-things-devices',
  version: 1,
  migrations: { 1: searchFromQ },
  properties: {
    ...ACTION_PROPERTIES,
    api: choice(['current', 'beta'] as const, { since: 1 }),
    search: SEARCH_FILTER,
    limit: LIMIT_FILTER,
    sort: SORT_FILTER,
    clientId: typed({
      value: '',
      types: TEXT_TYPES,
      defaultType: 'str',
      literal: 'str',
      since: 1,
      check: currentOnly((text, field) => normalizeUuid(text, field)),
      message: { default: 'kpn-things.errors.uuid', invalid_query: 'kpn-things-devices.errors.beta-filter' },
    }),
    createdSince: dateFilterCurrent,
    createdBefore: dateFilterCurrent,
    modifiedSince: dateFilterCurrent,
    modifiedBefore: dateFilterCurrent,
    ...LIST_PROPERTIES,
  },
});

export type DevicesDef = SettingsOf<typeof devicesSchema.properties> & {
  id: string;
  type: string;
  z: string;
};
