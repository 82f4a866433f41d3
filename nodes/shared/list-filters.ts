/**
 * The filters every list of the current API shares (search `q`, `limit`, `sort` and the four date
 * filters), as node properties: declared once here for the list nodes' schemas (browser-safe), and
 * read back per message into query parameters by `queryFromProperties`.
 */
import { listQueryParams } from '../../lib/resources/list-query';
import { normalizeIsoDateTime, normalizeLimit } from '../../lib/validate';
import { typed, type SettingCheck, type TypedInputType, type TypedProperty } from './schema';

export const TEXT_TYPES: readonly TypedInputType[] = ['str', 'msg', 'flow', 'global', 'env', 'jsonata'];
export const NUMBER_TYPES: readonly TypedInputType[] = ['num', 'msg', 'flow', 'global', 'env'];

/** Free-text search, sent as `q` (Node-RED reserves one-letter property names, so it is saved as `search`). */
export const SEARCH_FILTER = typed({
  value: '',
  types: TEXT_TYPES,
  defaultType: 'str',
  literal: 'str',
  since: 1,
});

/** Page size: any positive integer (the API sets its own maximum, issue 9). */
export const LIMIT_FILTER = typed({
  value: '',
  types: NUMBER_TYPES,
  defaultType: 'num',
  literal: 'num',
  since: 1,
  check: (text, field) => normalizeLimit(text, field, Number.MAX_SAFE_INTEGER),
  message: { default: 'kpn-things.errors.limit' },
});

/** Comma list of fields, `-` for descending. */
export const SORT_FILTER = typed({
  value: '',
  types: TEXT_TYPES,
  defaultType: 'str',
  literal: 'str',
  since: 1,
  check: (text, field) => listQueryParams({ [field]: text }, { [field]: 'sort' }, 'list'),
  message: { default: 'kpn-things.errors.sort' },
});

const dateTime: SettingCheck = (text, field) => normalizeIsoDateTime(text, field);

/** A date filter (createdSince …); `wrap` adds a condition to its check, `message` the editor keys per error code. */
export function dateFilter(
  wrap: (check: SettingCheck) => SettingCheck = (check) => check,
  message: Record<string, string> = {},
): TypedProperty {
  return typed({
    value: '',
    types: TEXT_TYPES,
    defaultType: 'str',
    literal: 'str',
    since: 1,
    check: wrap(dateTime),
    message: { default: 'kpn-things.errors.datetime', ...message },
  });
}

/** Node properties that become query parameters: property name → the API's parameter name. */
export const LIST_FILTER_PARAMETERS = {
  search: 'q',
  limit: 'limit',
  sort: 'sort',
  createdSince: 'createdSince',
  createdBefore: 'createdBefore',
  modifiedSince: 'modifiedSince',
  modifiedBefore: 'modifiedBefore',
} as const;

/**
 * The query of a list node from its TypedInput properties (blank ones left out), in the API's names.
 * `property` is the action context's evaluator (ctx.property), `names` property → parameter.
 */
export async function queryFromProperties<N extends string>(
  property: (name: N) => Promise<unknown>,
  names: Readonly<Record<N, string>>,
): Promise<Record<string, unknown>> {
  const query: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(names) as [N, string][]) {
    const value = await property(name);
    if (value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')) {
      query[parameter] = value;
    }
  }
  return query;
}
