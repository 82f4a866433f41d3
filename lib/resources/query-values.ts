/**
 * Query parameters a caller names freely (msg.query, a generic request's query): the documented
 * list filters are "the most common" ones, so names the library does not know are passed through,
 * not refused. Values must still be something a URL can carry: text, a number, a boolean, a Date,
 * or a list of those (a repeated parameter).
 */
import type { QueryParams, QueryValue } from '../client';
import { ValidationError, preview } from '../validate';

/** One caller value as a query value; `field` names it in the error (e.g. 'msg.query.projectId'). */
export function queryValue(raw: unknown, field: string): QueryValue {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    if (typeof raw === 'number' && !Number.isFinite(raw)) throw notQueryValue(raw, field);
    return raw;
  }
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw notQueryValue(raw, field);
    return raw;
  }
  if (Array.isArray(raw)) {
    return raw.map((item: unknown, index) => {
      if (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) return item;
      if (typeof item === 'boolean') return String(item);
      throw notQueryValue(item, `${field}[${index}]`);
    });
  }
  throw notQueryValue(raw, field);
}

/** Every entry of a query object as query values, names passed through as given. */
export function openQueryParams(query: unknown, field: string): QueryParams {
  if (query === undefined || query === null) return {};
  if (typeof query !== 'object' || Array.isArray(query)) {
    throw new ValidationError({
      field,
      code: 'invalid_query',
      value: query,
      problem: 'is not an object',
      fix: `set ${field} to an object of query parameters, e.g. {"q": "sensor", "limit": 100}.`,
    });
  }
  const out: QueryParams = {};
  for (const [name, raw] of Object.entries(query as Record<string, unknown>)) {
    const value = queryValue(raw, `${field}.${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function notQueryValue(raw: unknown, field: string): ValidationError {
  return new ValidationError({
    field,
    code: 'invalid_query',
    value: raw,
    problem: `${preview(raw)} cannot be sent as a query parameter`,
    fix: 'use text, a number, true/false, a date, or a list of those.',
  });
}
