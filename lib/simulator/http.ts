/**
 * Small HTTP building blocks shared by the GRIP and API listeners: the request context handed to
 * route handlers, the reply they return, and the error type they throw.
 */
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { ProblemDetails } from '../types';

export const PROBLEM_JSON = 'application/problem+json';
export const JSON_TYPE = 'application/json';

export interface RequestContext {
  method: string;
  /** Path without the query string, e.g. '/devices'. */
  path: string;
  /** The request target as received (path + query), used as a problem's `instance`. */
  target: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Path parameters of the matched route, e.g. { id: '...' }. */
  params: Record<string, string>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Thrown by handlers; each listener turns it into its own error format. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly title?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'SimError';
  }
}

/** Thrown by handlers to answer with exactly this reply (e.g. the beta API's 302). */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`reply ${reply.status}`);
    this.name = 'ReplyError';
  }
}

export function badRequest(detail: string): SimError {
  return new SimError(400, detail);
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? STATUS_CODES[status] ?? 'Error';
}

export function json(status: number, body: unknown, contentType = JSON_TYPE): Reply {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

export function problem(
  status: number,
  detail: string,
  instance: string,
  title?: string,
  headers: Record<string, string> = {},
): Reply {
  const body: ProblemDetails = { title: title ?? titleFor(status), status, detail, instance };
  return { status, headers: { ...headers, 'content-type': PROBLEM_JSON }, body: JSON.stringify(body) };
}

/** The single value of a header (undefined when absent). Repeated headers arrive joined by ', '. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Media types listed in an Accept or Content-Type header, lower case, without parameters. */
export function mediaTypes(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .filter((part) => part.length > 0);
}

/** A query parameter that may appear at most once. */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw badRequest(`The field '${name}' must be given only once.`);
  return values[0];
}

export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
