/**
 * Listing downlinks: `GET /downlinks`, the call the Getting Started document uses as its worked
 * example (`GET /downlinks?modifiedSince=2025-09-01T00:00:00Z&limit=100&sort=-modifiedAt`).
 * Cursor pages, `limit`, `sort`, `q` and the four date filters are validated; any other name
 * (e.g. from msg.query) passes through to the API.
 *
 * The item shape is not published: items pass through untouched. What the simulator serves is an
 * assumption: `id`, `clientId`, `deviceId`, `tagValue` (the device URN, e.g.
 * `urn:dev:DEVEUI:0123456789ABCDEF:`), `networkId`, `message`, `externalReference`, `status`,
 * `createdAt`, `modifiedAt`.
 */
import type { QueryParams, ThingsClient } from '../client';
import { ENDPOINTS } from '../endpoints';
import type { Page } from '../pagination';
import { cursorList, type PageOptions } from './devices';
import { COMMON_LIST_FIELDS, listQueryParams, type CommonListQuery, type FieldKind } from './list-query';

/** The documented query of GET /downlinks (all optional); other names pass through. */
export interface DownlinkListQuery extends CommonListQuery {
  /** Free text: the device URN (`tagValue`) exactly, `networkId` and `message` partially, case-sensitive. */
  q?: string;
  [other: string]: unknown;
}

export const DOWNLINK_LIST_QUERY_FIELDS: Record<string, FieldKind> = COMMON_LIST_FIELDS;

/** One listed downlink, as the API sends it (the shape is not published; nothing is renamed or dropped). */
export type ListedDownlink = Record<string, unknown>;

/** The validated query parameters of GET /downlinks; makes no request. */
export function downlinkListQuery(query: DownlinkListQuery | Record<string, unknown> = {}): QueryParams {
  return listQueryParams(query, DOWNLINK_LIST_QUERY_FIELDS, 'downlink list', true);
}

/**
 * Pages of GET /downlinks, lazily (one page in memory; the next is fetched when wanted).
 * `options.cursor` starts from a `next`/`prev` link or a bare cursor value, e.g. the msg.cursor
 * kept from the last run. The query is validated before the first request.
 */
export function downlinkPages(
  client: ThingsClient,
  query: DownlinkListQuery | Record<string, unknown> = {},
  options: PageOptions = {},
): AsyncGenerator<Page<ListedDownlink>> {
  return cursorList<ListedDownlink>(client, ENDPOINTS.listDownlinks, downlinkListQuery(query), options);
}
