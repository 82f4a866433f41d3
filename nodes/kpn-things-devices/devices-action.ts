/**
 * kpn-things-devices: lists devices from the current API (cursor pages) or the beta API (numbered
 * pages). Node settings give the query; msg.query (object) overrides it per message, in the chosen
 * API's own parameter names.
 */
import { betaDevicePages, devicePages } from '../../lib/resources/devices';
import { ValidationError } from '../../lib/validate';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { emitList, maxItemsOf, outputMode, queryFromMsg } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';
import type { DevicesDef } from './schema';

export type { DevicesDef };

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
  for (const [property, parameter] of Object.entries(CURRENT_PROPERTIES) as [
    keyof typeof CURRENT_PROPERTIES,
    string,
  ][]) {
    const value = await ctx.property(property);
    if (!isBlank(value)) fromNode[parameter] = value;
  }
  const msgQuery = queryFromMsg(ctx.msg.query);
  const cursor = ctx.msg.cursor;
  if (ctx.def.api === 'beta') {
    const query = { ...toBetaQuery(fromNode), ...msgQuery };
    if (mode === 'page' && !isBlank(cursor)) query.currentPage = cursor;
    return emitList(ctx, betaDevicePages(ctx.client, query, ctx.call), mode, maxItems);
  }
  const pageCursor = mode === 'page' && typeof cursor === 'string' && cursor !== '' ? cursor : undefined;
  const pages = devicePages(ctx.client, { ...fromNode, ...msgQuery }, { ...ctx.call, cursor: pageCursor });
  return emitList(ctx, pages, mode, maxItems);
}

/** The node's current-API settings in the beta API's vocabulary; filters the beta API lacks are refused. */
function toBetaQuery(fromNode: Record<string, unknown>): Record<string, unknown> {
  const beta: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fromNode)) {
    if (name === 'q') beta.search = value;
    else if (name === 'limit') beta.pageSize = value;
    else if (name === 'sort') {
      const text = String(value).split(',')[0].trim();
      beta.sortBy = text.replace(/^-/, '');
      beta.sortOrder = text.startsWith('-') ? 'DESC' : 'ASC';
    } else {
      throw new ValidationError({
        field: name,
        code: 'invalid_query',
        value,
        problem: 'is not supported by the beta API',
        hint: 'clear this filter, or choose the current API in the node settings.',
      });
    }
  }
  return beta;
}
