/**
 * kpn-things-devices: lists devices from the current API (cursor pages) or the beta API (numbered
 * pages). Node settings give the query; msg.query (object) overrides it per message, in the chosen
 * API's own parameter names.
 */
import { betaDevicePages, betaQueryFrom, devicePages } from '../../lib/resources/devices';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { LIST_FILTER_PARAMETERS, queryFromProperties } from '../shared/list-filters';
import { defaultPageSize, emitList, maxItemsOf, outputMode, queryFromMsg } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';
import type { DevicesDef } from './schema';

export type { DevicesDef };

/** Node properties that become query parameters of the current API, by property name → parameter. */
const CURRENT_PROPERTIES = { ...LIST_FILTER_PARAMETERS, clientId: 'clientId' } as const;

export async function listDevices(ctx: ActionContext<DevicesDef>): Promise<ActionOutcome> {
  const mode = outputMode(ctx.def);
  const maxItems = maxItemsOf(ctx.def);
  // Split mode asks bigger pages unless the node or msg.query sets a size (see SPLIT_PAGE_SIZE).
  const fromNode = {
    ...defaultPageSize(mode),
    ...(await queryFromProperties(ctx.property, CURRENT_PROPERTIES)),
  };
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
