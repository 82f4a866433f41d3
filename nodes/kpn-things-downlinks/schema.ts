/**
 * kpn-things-downlinks: its settings, once (see nodes/shared/schema.ts). The filters are the current
 * API's common list filters (nodes/shared/list-filters.ts); `sinceLastRun` asks only for downlinks
 * modified since the previous successful run of this node.
 */
import { dateFilter, LIMIT_FILTER, SEARCH_FILTER, SORT_FILTER } from '../shared/list-filters';
import { ACTION_PROPERTIES, defineSchema, LIST_PROPERTIES, setting, type SettingsOf } from '../shared/schema';

const DATE_FILTER = dateFilter();

export const downlinksSchema = defineSchema({
  type: 'kpn-things-downlinks',
  version: 1,
  properties: {
    ...ACTION_PROPERTIES,
    search: SEARCH_FILTER,
    createdSince: DATE_FILTER,
    createdBefore: DATE_FILTER,
    modifiedSince: DATE_FILTER,
    modifiedBefore: DATE_FILTER,
    sinceLastRun: setting(false, { since: 1 }),
    sort: SORT_FILTER,
    limit: LIMIT_FILTER,
    ...LIST_PROPERTIES,
  },
});

export type DownlinksDef = SettingsOf<typeof downlinksSchema.properties> & {
  id: string;
  type: string;
  z: string;
};
