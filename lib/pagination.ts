/**
 * Lazy pagination for both list styles, one page in memory at a time:
 * - cursor style (current API): follow the `next` link until it is absent or null;
 * - page-number style (beta API): ask page 0, 1, 2 … until the page says `last`.
 * `items()` flattens pages into items with a max-items cap; a consumer that stops iterating
 * stops the fetching (back-pressure: the next page is only requested when it is wanted).
 */
import type { BetaPage, CursorPage } from './types';

export interface Page<T> {
  items: T[];
  /** Cursor style: the links as the API sent them (null at the ends). */
  next?: string | null;
  prev?: string | null;
  /** Page-number style: the 0-based page number, whether it is the last, and the total when known. */
  number?: number;
  last?: boolean;
  totalElements?: number;
  /** HTTP status and retries of the request that fetched this page. */
  status: number;
  retries: number;
}

export interface Fetched<B> {
  status: number;
  retries: number;
  body: B;
}

/**
 * How many recent `next` links a cursor walk remembers to stop a server that sends a link it already
 * sent (a loop of up to this many pages). Bounded so a walk over any number of pages keeps constant
 * memory (a set of every link grew with the list: 2 000 links for 100 000 devices).
 */
export const CURSOR_LOOP_WINDOW = 64;

/** Walks cursor pages: `fetchPage(undefined)` for the first, then `fetchPage(next)` while there is one. */
export async function* cursorPages<T>(
  fetchPage: (next: string | undefined) => Promise<Fetched<CursorPage<T>>>,
  start?: string,
): AsyncGenerator<Page<T>> {
  let link: string | undefined = start;
  // Insertion-ordered: the oldest link is the first one, dropped when the window is full.
  const seen = new Set<string>();
  for (;;) {
    const { body, status, retries } = await fetchPage(link);
    const items = Array.isArray(body?.items) ? body.items : [];
    const next = typeof body?.next === 'string' && body.next !== '' ? body.next : null;
    yield { items, next, prev: typeof body?.prev === 'string' ? body.prev : null, status, retries };
    if (next === null || seen.has(next)) return;
    if (seen.size >= CURSOR_LOOP_WINDOW) seen.delete(seen.values().next().value as string);
    seen.add(next);
    link = next;
  }
}

/** Walks page-number pages from `firstPage` until one says `last` (or comes back empty). */
export async function* numberedPages<T>(
  fetchPage: (page: number) => Promise<Fetched<BetaPage<T>>>,
  firstPage = 0,
): AsyncGenerator<Page<T>> {
  for (let number = firstPage; ; number++) {
    const { body, status, retries } = await fetchPage(number);
    const items = Array.isArray(body?.content) ? body.content : [];
    const last = body?.last === true || items.length === 0;
    yield {
      items,
      number: typeof body?.number === 'number' ? body.number : number,
      last,
      totalElements: body?.totalElements,
      status,
      retries,
    };
    if (last) return;
  }
}

/** The first page only (undefined when there is none); no further page is requested. */
export async function firstPage<T>(pages: AsyncGenerator<Page<T>>): Promise<Page<T> | undefined> {
  const first = await pages.next();
  await pages.return(undefined);
  return first.done ? undefined : first.value;
}

/** Flattens pages into items, stopping after `maxItems` (no further page is fetched). */
export async function* items<T>(pages: AsyncIterable<Page<T>>, maxItems = Infinity): AsyncGenerator<T> {
  if (maxItems <= 0) return;
  let count = 0;
  for await (const page of pages) {
    for (const item of page.items) {
      yield item;
      if (++count >= maxItems) return;
    }
  }
}

export interface Collected<T> {
  items: T[];
  /** True when more items were available than `maxItems`. */
  truncated: boolean;
  pages: number;
  retries: number;
}

/** Reads pages into one array, up to `maxItems`; tells whether the cap cut the list short. */
export async function collect<T>(pages: AsyncIterable<Page<T>>, maxItems = Infinity): Promise<Collected<T>> {
  const out: T[] = [];
  let pageCount = 0;
  let retries = 0;
  for await (const page of pages) {
    pageCount++;
    retries += page.retries;
    const room = maxItems - out.length;
    if (page.items.length > room) {
      out.push(...page.items.slice(0, room));
      return { items: out, truncated: true, pages: pageCount, retries };
    }
    out.push(...page.items);
    const more = page.next ? true : page.last === false;
    if (out.length >= maxItems) return { items: out, truncated: more, pages: pageCount, retries };
  }
  return { items: out, truncated: false, pages: pageCount, retries };
}
