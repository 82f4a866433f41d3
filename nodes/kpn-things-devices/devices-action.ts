/**
 * kpn-things-devices: lists devices from the current API (cursor pages) or the beta API (numbered
 * pages). Node settings give the query; msg.query (object) overrides it per message, in the chosen
 * API's own parameter names.
 */
import { betaDevicePages, betaQueryFrom, devicePages } from '../../lib/resources/devices';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { emitList, maxItemsOf, outputMode, queryFromMsg, type ListOutputDef } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';

export interface DevicesDef extends ListOutputDef {
  api?: 'current' | 'beta';
  /** Search text, sent as `q` (Node-RED reserves one-letter property names, so it is stored as `search`). */
  search?: string;
  searchType?: string;
  limit?: string;
  limitType?: string;
  sort?: string;
  sortType?: string;
  clientId?: string;
  clientIdType?: string;
  createdSince?: string;
  createdSinceType?: string;
  createdBefore?: string;
  createdBeforeType?: string;
  modifiedSince?: string;
  modifiedSinceType?: string;
  modifiedBefore?: string;
  modifiedBeforeType?: string;
}

/** Node properties that become query parameters of the current API, by property name → parameter. */
const CURRENT_PROPERTIES = {
  search: 'q',
  limit: 'limit',
  sort: 'sort',
  clientId: 'clientId',
  createdSince: 'createdSince',
  createdBefore: 'createdBefore',
  modifiedSince: 'modifiedSince',
  modifiedBefore: 'modifiedBefore',
} as const;

export async function listDevices(ctx: ActionContext<DevicesDef>): Promise<ActionOutcome> {
  const mode = outputMode(ctx.def);
  const maxItems = maxItemsOf(ctx.def);
  const fromNode: Record<string, unknown> = {};
  for (const [property, parameter] of Object.entries(CURRENT_PROPERTIES)) {
    const value = await ctx.property(property);
    if (!isBlank(value)) fromNode[parameter] = value;
  }
  const msgQuery = queryFromMsg(ctx.msg.query);
  const cursor = ctx.msg.cursor;
  if (ctx.def.api === 'beta') {
    const query = { ...betaQueryFrom(fromNode), ...msgQuery };
    if (mode === 'page' && !isBlank(cursor)) query.currentPage = cursor;
    return emitList(ctx, betaDevicePages(ctx.client, query, ctx.call), mode, maxItems);
  }
  const pageCursor = mode === 'page' && typeof cursor === 'string' && cursor !== '' ? cursor : undefined;
  const pages = devicePages(ctx.client, { ...fromNode, ...msgQuery }, { ...ctx.call, cursor: pageCursor });
  return emitList(ctx, pages, mode, maxItems);
}
