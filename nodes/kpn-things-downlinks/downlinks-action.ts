/**
 * kpn-things-downlinks: lists downlinks (GET /downlinks, cursor pages). Node settings give the query;
 * msg.query (object) overrides it per message and may name any other filter (the API's filters are
 * open). msg.cursor (a next/prev link or a cursor value) starts from that page, in every output mode.
 * With "since the last run", modifiedSince defaults to when the previous successful run started
 * (kept in memory per node; the first run after a deploy lists from the settings alone).
 */
import { downlinkPages } from '../../lib/resources/downlink-list';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { LIST_FILTER_PARAMETERS, queryFromProperties } from '../shared/list-filters';
import { emitList, maxItemsOf, outputMode, queryFromMsg } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';
import type { DownlinksDef } from './schema';

export type { DownlinksDef };

/** When the last successful run of each node started (ISO 8601), for "since the last run". */
const lastRuns = new WeakMap<object, string>();

export async function listDownlinks(ctx: ActionContext<DownlinksDef>): Promise<ActionOutcome> {
  const started = new Date().toISOString();
  const mode = outputMode(ctx.def);
  const query = {
    ...(await queryFromProperties(ctx.property, LIST_FILTER_PARAMETERS)),
    ...queryFromMsg(ctx.msg.query),
  };
  if (ctx.def.sinceLastRun && isBlank(query.modifiedSince)) {
    const last = lastRuns.get(ctx.node);
    if (last !== undefined) query.modifiedSince = last;
  }
  const cursor = typeof ctx.msg.cursor === 'string' && ctx.msg.cursor !== '' ? ctx.msg.cursor : undefined;
  const pages = downlinkPages(ctx.client, query, { ...ctx.call, cursor });
  const outcome = await emitList(ctx, pages, mode, maxItemsOf(ctx.def));
  if (ctx.def.sinceLastRun) {
    // Start of this run: a downlink modified while it ran is listed again next time, never missed.
    lastRuns.set(ctx.node, started);
    if (outcome.msg) outcome.msg.modifiedSince = query.modifiedSince ?? null;
  }
  return outcome;
}
