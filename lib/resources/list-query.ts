/**
 * Turns a caller's list query (node settings merged with msg.query) into validated query
 * parameters. Known names are checked by kind. Unknown names: the current API's filters are open
 * (the documentation lists "the most common filters", `projectId` is another), so an open list passes
 * them through as text; a closed list (the beta API) refuses them with the list of known ones.
 */
import type { QueryParams } from '../client';
import { ValidationError, normalizeIsoDateTime, normalizeLimit, normalizeUuid, preview } from '../validate';

export type FieldKind = 'text' | 'limit' | 'sort' | 'datetime' | 'uuid' | 'uuids' | 'page' | 'order';

/** The query every list of the current API takes (all optional; cursor paging aside). */
export interface CommonListQuery {
  /** Free text (what it matches depends on the list). */
  q?: string;
  limit?: number | string;
  /** Comma list, `-` for descending, e.g. `-createdAt,id`. */
  sort?: string;
  createdBefore?: string | Date;
  createdSince?: string | Date;
  modifiedBefore?: string | Date;
  modifiedSince?: string | Date;
}

/** The parameters every list of the current API takes (cursor paging aside). */
export const COMMON_LIST_FIELDS = {
  q: 'text',
  limit: 'limit',
  sort: 'sort',
  createdBefore: 'datetime',
  createdSince: 'datetime',
  modifiedBefore: 'datetime',
  modifiedSince: 'datetime',
} as const satisfies Record<string, FieldKind>;

const SORT_PATTERN = /^-?[A-Za-z][\w.]*(,-?[A-Za-z][\w.]*)*$/;

/** A name an open list passes through: starts with a letter (so never `__proto__` and the like). */
const OPEN_NAME = /^[A-Za-z][\w.-]*$/;

export function listQueryParams(
  query: object | undefined,
  fields: Record<string, FieldKind>,
  what: string,
  open = false,
): QueryParams {
  const out: QueryParams = {};
  for (const [key, raw] of Object.entries(query ?? {})) {
    if (raw === undefined || raw === null || raw === '') continue;
    const kind = fields[key];
    if (!kind && open) {
      out[key] = passThrough(key, raw);
      continue;
    }
    if (!kind) {
      throw new ValidationError({
        field: `query.${key}`,
        code: 'invalid_query',
        value: raw,
        problem: `is not a ${what} query parameter`,
        fix: `use one of: ${Object.keys(fields).join(', ')}.`,
      });
    }
    out[key] = convert(key, kind, raw);
  }
  return out;
}

function convert(key: string, kind: FieldKind, raw: unknown): QueryParams[string] {
  switch (kind) {
    case 'limit':
      return normalizeLimit(raw, key);
    case 'page': {
      const page = Number(raw);
      if (!Number.isInteger(page) || page < 0)
        throw invalid(key, raw, 'a whole number from 0 (the first page)');
      return page;
    }
    case 'datetime':
      return normalizeIsoDateTime(raw, key);
    case 'uuid':
      return normalizeUuid(raw, key);
    case 'uuids':
      return (Array.isArray(raw) ? raw : String(raw).split(',')).map((item) =>
        normalizeUuid(String(item).trim(), key),
      );
    case 'sort': {
      const text = Array.isArray(raw) ? raw.join(',') : String(raw).replace(/\s+/g, '');
      if (!SORT_PATTERN.test(text))
        throw invalid(
          key,
          raw,
          'field names separated by commas, "-" before a field for descending (e.g. -createdAt,name)',
        );
      return text;
    }
    case 'order': {
      const order = String(raw).toUpperCase();
      if (order !== 'ASC' && order !== 'DESC') throw invalid(key, raw, 'ASC or DESC');
      return order;
    }
    case 'text':
      if (typeof raw !== 'string' && typeof raw !== 'number') throw invalid(key, raw, 'text');
      return String(raw);
  }
}

/** An unknown filter of an open list: a name starting with a letter, and text, a number, a boolean or a list of those. */
function passThrough(key: string, raw: unknown): QueryParams[string] {
  if (!OPEN_NAME.test(key)) {
    throw new ValidationError({
      field: `query.${key}`,
      code: 'invalid_query',
      value: key,
      problem: 'is not a usable query parameter name',
      fix: 'a name starts with a letter and holds letters, digits, ".", "_" or "-".',
    });
  }
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (raw instanceof Date && !Number.isNaN(raw.getTime())) return raw;
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string' || typeof item === 'number')) {
    return raw as (string | number)[];
  }
  throw invalid(`query.${key}`, raw, 'text, a number, a boolean, or a list of texts or numbers');
}

function invalid(field: string, raw: unknown, expected: string): ValidationError {
  return new ValidationError({
    field,
    code: 'invalid_query',
    value: raw,
    problem: `${preview(raw)} is not valid`,
    fix: `expected ${expected}.`,
  });
}
