/**
 * The three output modes of a list node, over any page iterator from lib/:
 * - all:   follow every page, msg.payload = array (capped at maxItems, with a warning when hit);
 * - split: one message per item with msg.parts for a Join node, page by page in bounded memory;
 * - page:  one page, msg.payload = items, msg.next / msg.prev to fetch the neighbours.
 */
import { collect, firstPage, type Page } from '../../lib/pagination';
import { ValidationError } from '../../lib/validate';
import type { ActionContext, ActionOutcome } from './action-node';
import { DEFAULT_MAX_ITEMS } from './schema';
import type { ActionNodeDef } from './types';

export type OutputMode = 'all' | 'split' | 'page';

export interface ListOutputDef extends ActionNodeDef {
  output?: OutputMode;
  maxItems?: string | number;
}

export { DEFAULT_MAX_ITEMS };

/**
 * Page size asked in split mode when neither the node nor msg.query sets one (the API's default is
 * 50). Each request leaves about 1.3 KB of short-lived HTTP objects that V8 promotes to the old
 * space (a raw undici loop shows the same), so at 50 a 100 000-device list grew the heap by ~3.5 MB
 * of garbage before any major GC; at 100 it is half of that, and the list streams faster. 100 is the
 * largest size KPN's own documentation uses (Getting Started: `limit=100`): the API publishes no
 * maximum, and a default must not be one the real API could refuse.
 */
export const SPLIT_PAGE_SIZE = 100;

/** The default page size for `mode`, in current-API names (`limit`), to spread under the user's query. */
export function defaultPageSize(mode: OutputMode): { limit?: number } {
  return mode === 'split' ? { limit: SPLIT_PAGE_SIZE } : {};
}

export function outputMode(def: ListOutputDef): OutputMode {
  return def.output === 'split' || def.output === 'page' ? def.output : 'all';
}

export function maxItemsOf(def: ListOutputDef): number {
  if (def.maxItems === undefined || def.maxItems === '') return DEFAULT_MAX_ITEMS;
  const max = Number(def.maxItems);
  if (!Number.isInteger(max) || max < 1) {
    throw new ValidationError({
      field: 'maxItems',
      code: 'invalid_limit',
      value: def.maxItems,
      problem: 'is not a whole number of at least 1',
      hint: `set "Max items" in the node to e.g. ${DEFAULT_MAX_ITEMS}.`,
    });
  }
  return max;
}

/** Labels the status with a count, e.g. "12 devices" (`status.items` of the node's catalogue). */
export async function emitList<T, D extends ListOutputDef>(
  ctx: ActionContext<D>,
  pages: AsyncGenerator<Page<T>>,
  mode: OutputMode,
  maxItems: number,
): Promise<ActionOutcome> {
  const { msg } = ctx;
  if (mode === 'page') {
    const page = (await firstPage(pages)) ?? { items: [] as T[], status: 200, retries: 0 };
    msg.payload = page.items;
    msg.statusCode = page.status;
    if ('number' in page && page.number !== undefined) {
      msg.page = page.number;
      msg.next = page.last ? null : page.number + 1;
      msg.prev = page.number > 0 ? page.number - 1 : null;
    } else {
      msg.next = 'next' in page ? (page.next ?? null) : null;
      msg.prev = 'prev' in page ? (page.prev ?? null) : null;
    }
    return { status: ctx.t('status.items', { count: page.items.length }), msg };
  }
  if (mode === 'all') {
    const result = await collect(pages, maxItems);
    msg.payload = result.items;
    msg.statusCode = 200;
    msg.truncated = result.truncated;
    if (result.truncated) ctx.warn(ctx.t('warnings.max-items', { max: maxItems }));
    return { status: ctx.t('status.items', { count: result.items.length }), msg };
  }
  // split: stream page by page; the last message carries parts.count so a Join node completes.
  const partsId = `${msg._msgid}-${Date.now().toString(36)}`;
  let index = 0;
  let pending: T | undefined;
  let havePending = false;
  let pageNumber = 0;
  const flush = (item: T, count?: number): void => {
    const parts: Record<string, unknown> = { id: partsId, index, type: 'array', len: 1 };
    if (count !== undefined) parts.count = count;
    ctx.send(ctx.derive({ payload: item, parts, statusCode: 200 }));
    index++;
  };
  outer: for await (const page of pages) {
    pageNumber++;
    for (const item of page.items) {
      if (havePending) flush(pending as T);
      pending = item;
      havePending = true;
      if (index + 1 >= maxItems) break outer;
    }
    const count = index + (havePending ? 1 : 0);
    const shown = pageNumber;
    ctx.progress(() => ctx.t('status.streaming', { count, page: shown }));
    // Yield between pages so the flow can process what was sent before the next page is requested.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await pages.return(undefined);
  if (havePending) flush(pending as T, index + 1);
  const total = index;
  if (total >= maxItems) ctx.warn(ctx.t('warnings.max-items', { max: maxItems }));
  return { status: ctx.t('status.items', { count: total }) };
}

/** msg.query as an object of query parameters (absent: none); anything else is an error naming it. */
export function queryFromMsg(query: unknown): Record<string, unknown> {
  if (query === undefined || query === null) return {};
  if (typeof query !== 'object' || Array.isArray(query)) {
    throw new ValidationError({
      field: 'msg.query',
      code: 'invalid_query',
      value: query,
      problem: 'is not an object',
      hint: 'set msg.query to an object of query parameters, e.g. {"q": "sensor", "limit": 100}.',
    });
  }
  return { ...(query as Record<string, unknown>) };
}
