/**
 * Cursor pagination for the current API's list endpoints.
 *
 * A cursor is base64url JSON { o: offset, f: fingerprint of the query }. The filtered and sorted
 * list behind a query is cached (keyed by scope + filters + sort), so walking 100 000 items in
 * pages of 1000 slices one cached array instead of filtering and sorting for every page.
 * A cursor used with different filters, sort or scope is refused (400), like a garbage one.
 */
import type { CursorPage } from '../types';
import type { ItemSource } from './data';
import { badRequest, json, single, type Reply, type RequestContext } from './http';

export const DEFAULT_LIMIT = 50;

export interface SortTerm {
  field: string;
  descending: boolean;
}

export type Item = Record<string, unknown>;
export type Predicate<T> = (item: T) => boolean;

export interface ListSpec<T extends Item> {
  /** Identifies the visible data set (e.g. the scoped client id); part of the cursor fingerprint. */
  scopeKey: string;
  /** Bumped when the source changes (e.g. a new downlink); invalidates cached lists. */
  version?: number;
  /** The visible items in their natural order (oldest first). */
  source: () => ItemSource<T>;
  sortFields: readonly string[];
  /** Query parameters that filter the list (they, with `sort`, make up the cursor fingerprint). */
  filterParams: readonly string[];
  /**
   * Validates the filter parameters (throwing a 400) and returns the predicates to apply. Query
   * parameters a list does not know are ignored, never refused: the documented filters are "the most
   * common" ones, so others exist.
   */
  filters: (query: URLSearchParams) => Predicate<T>[];
  /** Largest `limit` accepted (default: none). */
  maxLimit?: number;
  /** How an item is served (default: as stored). */
  present?: (item: T) => Item;
}

/** Answers one page of a cursor-paginated list. */
export function listPage<T extends Item>(
  ctx: RequestContext,
  apiUrl: string,
  cache: ListCache,
  spec: ListSpec<T>,
): Reply {
  const limit = parseLimit(ctx.query, DEFAULT_LIMIT, spec.maxLimit);
  const sort = parseSort(ctx.query, spec.sortFields);
  const predicates = spec.filters(ctx.query);
  const key = queryKey(ctx, spec);
  const print = fingerprint(key);
  const cursor = single(ctx.query, 'cursor');
  const list: ItemSource<T> =
    predicates.length === 0 && sort.length === 0
      ? spec.source()
      : cache.get(`${key}#${spec.version ?? 0}`, () =>
          sortItems(filterItems(spec.source(), predicates), sort),
        );
  const offset = cursor === undefined ? 0 : decodeCursor(cursor, print, list.length);
  const slice = list.slice(offset, offset + limit);
  const page: CursorPage<Item> = {
    items: spec.present ? slice.map(spec.present) : slice,
    next: offset + limit < list.length ? link(ctx, apiUrl, offset + limit, print) : null,
    prev: offset > 0 ? link(ctx, apiUrl, Math.max(0, offset - limit), print) : null,
  };
  return json(200, page);
}

export function parseLimit(query: URLSearchParams, fallback = DEFAULT_LIMIT, max = Infinity): number {
  const raw = single(query, 'limit');
  if (raw === undefined) return fallback;
  if (!/^[-+]?\d+$/.test(raw.trim())) throw badRequest("The field 'limit' must be an integer.");
  const value = Number(raw);
  if (value <= 0) throw badRequest("The field 'limit' must be greater than zero.");
  if (value > max) throw badRequest(`The field 'limit' must not be greater than ${max}.`);
  return value;
}

export function parseSort(query: URLSearchParams, allowed: readonly string[]): SortTerm[] {
  const raw = single(query, 'sort');
  if (raw === undefined) return [];
  const terms: SortTerm[] = [];
  for (const part of raw.split(',')) {
    const text = part.trim();
    const descending = text.startsWith('-');
    const field = descending ? text.slice(1) : text.startsWith('+') ? text.slice(1) : text;
    if (field === '') throw badRequest("The field 'sort' contains an empty property.");
    if (!allowed.includes(field)) {
      throw badRequest(
        `The field 'sort' contains an unknown property '${field}'; allowed: ${allowed.join(', ')}.`,
      );
    }
    terms.push({ field, descending });
  }
  return terms;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date-time query parameter, normalised to UTC `toISOString()` form. */
export function parseDateTime(query: URLSearchParams, name: string): string | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const ms = DATE_TIME.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    throw badRequest(`The field '${name}' must be an ISO 8601 date-time, e.g. 2025-09-01T00:00:00Z.`);
  }
  return new Date(ms).toISOString();
}

export const TIME_PARAMS = ['createdBefore', 'createdSince', 'modifiedBefore', 'modifiedSince'] as const;

/** createdBefore / createdSince / modifiedBefore / modifiedSince on `createdAt` / `modifiedAt`. */
export function timeFilters<T extends Item>(query: URLSearchParams): Predicate<T>[] {
  const predicates: Predicate<T>[] = [];
  // All stored timestamps are toISOString() output, so string order is time order.
  const add = (name: string, field: 'createdAt' | 'modifiedAt', before: boolean): void => {
    const bound = parseDateTime(query, name);
    if (bound === undefined) return;
    predicates.push(before ? (item) => String(item[field]) < bound : (item) => String(item[field]) >= bound);
  };
  add('createdBefore', 'createdAt', true);
  add('createdSince', 'createdAt', false);
  add('modifiedBefore', 'modifiedAt', true);
  add('modifiedSince', 'modifiedAt', false);
  return predicates;
}

function filterItems<T>(source: ItemSource<T>, predicates: Predicate<T>[]): T[] {
  const items = source.slice(0, source.length);
  if (predicates.length === 0) return items;
  return items.filter((item) => predicates.every((predicate) => predicate(item)));
}

function sortItems<T extends Item>(items: T[], sort: SortTerm[]): T[] {
  if (sort.length === 0) return items;
  const terms = sort.some((term) => term.field === 'id')
    ? sort
    : [...sort, { field: 'id', descending: false }];
  return items.sort((a, b) => {
    for (const { field, descending } of terms) {
      const x = String(a[field] ?? '');
      const y = String(b[field] ?? '');
      if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return 0;
  });
}

function queryKey<T extends Item>(ctx: RequestContext, spec: ListSpec<T>): string {
  const parts = ['sort', ...spec.filterParams]
    .slice()
    .sort()
    .map((name) => `${name}=${JSON.stringify(ctx.query.getAll(name).sort())}`);
  return `${ctx.path}|${spec.scopeKey}|${parts.join('&')}`;
}

/** FNV-1a, 32 bits, as 8 hex digits. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export function encodeCursor(offset: number, print: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: print })).toString('base64url');
}

export function decodeCursor(cursor: string, print: string, total: number): number {
  const invalid = badRequest("The field 'cursor' is not a valid cursor.");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid;
  const { o, f } = parsed as { o?: unknown; f?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || typeof f !== 'string') throw invalid;
  if (f !== print)
    throw badRequest("The field 'cursor' belongs to a different query (filters, sort or context).");
  if (o > total) throw badRequest("The field 'cursor' points beyond the end of the list.");
  return o;
}

function link(ctx: RequestContext, apiUrl: string, offset: number, print: string): string {
  const params = new URLSearchParams(ctx.query);
  params.delete('cursor');
  params.append('cursor', encodeCursor(offset, print));
  return `${apiUrl}${ctx.path}?${params.toString()}`;
}

/** A small LRU of filtered + sorted lists. */
export class ListCache {
  private readonly entries = new Map<string, unknown[]>();

  constructor(private readonly max = 32) {}

  get<T>(key: string, compute: () => T[]): T[] {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as T[];
    }
    const value = compute();
    this.entries.set(key, value);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
