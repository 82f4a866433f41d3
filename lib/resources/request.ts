/**
 * A generic KPN Things request, for every endpoint without a dedicated node (device twin,
 * destinations, decoders, projects, the beta API): method, a path with `{{msg.x}}` parts, query,
 * body, Accept and Content-Type, sent through the client (token, reseller context, retries,
 * problem details) and, when the answer is a page, walked page by page.
 *
 * - The path is relative to the API base URL, or an absolute URL on the API host itself; anything
 *   else is refused before any request is made (the token is only ever sent to the API).
 * - Retries follow RFC 9110 idempotency through the client's policy (lib/retry.ts): GET, PUT and
 *   DELETE are retried like GET; POST and PATCH only where the server cannot have acted (429,
 *   503, a connection that never opened, a bad token refreshed once).
 * - Pagination: a cursor page (`{"items": [...], "next": "<link>"}`) follows `next` links, which
 *   must stay on the API host; a Spring page (`{"content": [...], "last": false, "number": 0}`)
 *   asks the next page number until `last`.
 */
import type { CallOptions, QueryParams, RequestSpec, ThingsClient, ThingsResponse } from '../client';
import { ENDPOINTS, MEDIA_TYPES, type Endpoint, type HttpMethod } from '../endpoints';
import { PROBLEM_TYPES, ThingsError } from '../errors';
import { cursorPages, numberedPages, type Page } from '../pagination';
import { isIdempotent } from '../retry';
import type { BetaPage, CursorPage } from '../types';
import { ValidationError, preview } from '../validate';
import { openQueryParams } from './query-values';

export const REQUEST_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** What the current API is asked to answer unless told otherwise: JSON, and problem details for errors. */
export const DEFAULT_ACCEPT = `${MEDIA_TYPES.json}, ${MEDIA_TYPES.problem}`;

/** Any media type can be sent: a non-JSON body goes out as bytes (RequestSpec.rawBody). */
export const RAW_BODY_SUPPORTED = true;

export interface RequestInput {
  /** GET, POST, PUT, PATCH or DELETE (any case). */
  method: unknown;
  /** '/devices/{{msg.deviceId}}', 'devices', or an absolute URL on the API host. */
  path: unknown;
  /** What `{{name}}` parts are looked up in, by dotted name (e.g. { msg } for `{{msg.deviceId}}`). */
  values?: Record<string, unknown>;
  /** The node's query parameters (override the path's own). */
  query?: unknown;
  /** msg.query (overrides the node's). */
  msgQuery?: unknown;
  /** The body (msg.payload): sent for POST, PUT and PATCH only; undefined, '' or an empty Buffer send none. */
  body?: unknown;
  /** Accept header; default: the endpoint table's media type for a known path, else JSON + problem+json. */
  accept?: unknown;
  /** Content-Type of the body; default application/json. */
  contentType?: unknown;
}

/** A validated request, ready to send; made without any network. */
export interface PreparedRequest {
  method: HttpMethod;
  /** Below the API base URL, placeholders filled in and URL-encoded, without the query. */
  path: string;
  query: QueryParams;
  accept: string;
  /** Set when there is a body. */
  contentType?: string;
  /** A JSON body (sent as JSON). */
  body?: unknown;
  /** A body of another media type, sent as these bytes. */
  rawBody?: string | Buffer;
  /** 'beta' for paths under /api/ (a bad token answers 302 there). */
  api: 'current' | 'beta';
  /** True for GET, PUT and DELETE: repeating them cannot do anything twice. */
  retrySafe: boolean;
}

/** What the client is handed (its RequestSpec, raw bodies included); the name predates `rawBody` there. */
export type WireRequestSpec = RequestSpec;

export type RequestSender = (spec: WireRequestSpec) => Promise<ThingsResponse<unknown>>;

export interface RunOptions extends CallOptions {
  /** Walk pages when the answer is one (GET only; default true). */
  paginate?: boolean;
  /**
   * Start from this page: a `next`/`prev` link (on the API host) or a bare cursor value (cursor
   * style), or a page number (Spring style), e.g. msg.cursor from the last run.
   */
  cursor?: string | number;
  /** How requests are sent (default: client.request). */
  send?: RequestSender;
}

export type RequestOutcome =
  | { kind: 'response'; response: ThingsResponse<unknown> }
  | {
      kind: 'pages';
      style: 'cursor' | 'numbered';
      /** The first page, lazily followed by the rest (one page in memory). */
      pages: AsyncGenerator<Page<unknown>>;
    };

export interface KnownPath {
  method: HttpMethod;
  /** With `{{msg.name}}` parts, ready to use as a node's path. */
  path: string;
  accept: string;
  api: 'current' | 'beta';
}

/** Every path the editor can suggest: the endpoint table's (lib/endpoints.ts), once each. */
export function knownPaths(): KnownPath[] {
  const out: KnownPath[] = [];
  const seen = new Set<string>();
  for (const endpoint of Object.values(ENDPOINTS) as Endpoint[]) {
    const path = endpoint.path.replace(/\{(\w+)\}/g, '{{msg.$1}}');
    const key = `${endpoint.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: endpoint.method, path, accept: endpoint.accept, api: endpoint.api });
  }
  return out;
}

/** The base the path check of the editor resolves against (any API host would do). */
const CHECK_BASE = 'https://api.kpnthings.com';

/**
 * Checks a path setting without a message (the editor, and a node when it starts): its syntax, and
 * that a relative path stays below the API. `{{name}}` parts count as filled in; an absolute URL is
 * checked against the configured API host per message instead. Throws ValidationError naming `path`.
 */
export function checkPathTemplate(raw: unknown): void {
  if (typeof raw === 'string' && (/^[a-z][a-z0-9+.-]*:/i.test(raw.trim()) || raw.trim().startsWith('//')))
    return;
  resolvePath(raw, undefined, CHECK_BASE);
}

/** Validates and resolves a request against the API base URL; throws ValidationError naming the field. */
export function prepareRequest(input: RequestInput, apiUrl: string): PreparedRequest {
  const method = requestMethod(input.method);
  const { path, query: pathQuery } = resolvePath(input.path, input.values ?? {}, apiUrl);
  const query = {
    ...pathQuery,
    ...openQueryParams(input.query, 'query'),
    ...openQueryParams(input.msgQuery, 'msg.query'),
  };
  const api = path === '/api' || path.startsWith('/api/') ? 'beta' : 'current';
  const accept =
    input.accept === undefined || input.accept === null || input.accept === ''
      ? defaultAccept(method, path, api)
      : mediaRange(input.accept);
  const prepared: PreparedRequest = { method, path, query, accept, api, retrySafe: isIdempotent(method) };
  const sendsBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if (sendsBody && !isEmptyBody(input.body)) {
    Object.assign(prepared, requestBody(input.body, input.contentType));
  }
  return prepared;
}

/** The request spec the client is handed for a prepared request. */
export function wireSpec(prepared: PreparedRequest, options: CallOptions = {}): WireRequestSpec {
  const spec: WireRequestSpec = {
    ...options,
    method: prepared.method,
    path: prepared.path,
    query: prepared.query,
    accept: prepared.accept,
    api: prepared.api,
  };
  if (prepared.body !== undefined) spec.body = prepared.body;
  if (prepared.rawBody !== undefined) {
    spec.rawBody = prepared.rawBody;
    spec.contentType = prepared.contentType;
  }
  return spec;
}

/**
 * Sends a prepared request. A GET whose answer is a page comes back as pages (the first one
 * already fetched, the rest on demand); anything else as the response itself.
 */
export async function runRequest(
  client: ThingsClient,
  prepared: PreparedRequest,
  options: RunOptions = {},
): Promise<RequestOutcome> {
  const { paginate = true, cursor, send = (spec) => client.request(spec), ...call } = options;
  const first = wireSpec(prepared, call);
  if (typeof cursor === 'string' && cursor !== '') {
    if (/^https?:\/\//i.test(cursor)) {
      delete first.path;
      delete first.query;
      first.url = apiLink(cursor, client.apiUrl, 'msg.cursor');
    } else first.query = { ...first.query, cursor };
  } else if (typeof cursor === 'number') {
    first.query = { ...first.query, [pageParameter(prepared)]: cursor };
  }
  const response = await send(first);
  if (!paginate || prepared.method !== 'GET') return { kind: 'response', response };
  const body = response.body;
  if (isCursorPage(body)) {
    const pages = cursorPages<unknown>((next) => {
      if (next === undefined) return Promise.resolve(asFetched<CursorPage<unknown>>(response));
      return send({
        ...call,
        method: 'GET',
        url: apiLink(next, client.apiUrl, 'next'),
        accept: first.accept,
        api: prepared.api,
      }).then((res) => asFetched<CursorPage<unknown>>(res));
    });
    return { kind: 'pages', style: 'cursor', pages };
  }
  if (isSpringPage(body)) {
    const parameter = pageParameter(prepared);
    const start = typeof body.number === 'number' ? body.number : 0;
    const pages = numberedPages<unknown>((number) => {
      if (number === start) return Promise.resolve(asFetched<BetaPage<unknown>>(response));
      const query = { ...prepared.query, [parameter]: number };
      return send({ ...first, url: undefined, path: prepared.path, query }).then((res) =>
        asFetched<BetaPage<unknown>>(res),
      );
    }, start);
    return { kind: 'pages', style: 'numbered', pages };
  }
  return { kind: 'response', response };
}

// ---------------------------------------------------------------------------------------------------------

function requestMethod(raw: unknown): HttpMethod {
  const method = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if ((REQUEST_METHODS as readonly string[]).includes(method)) return method as HttpMethod;
  throw new ValidationError({
    field: 'method',
    code: 'invalid_method',
    value: raw,
    problem: raw === undefined || raw === '' ? 'is missing' : `${preview(raw)} is not a supported method`,
    fix: `use one of ${REQUEST_METHODS.join(', ')} (in the node, or in msg.method).`,
  });
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** The path below the API base and its own query, with `{{name}}` parts filled in and encoded. */
function resolvePath(
  raw: unknown,
  values: Record<string, unknown> | undefined,
  apiUrl: string,
): { path: string; query: QueryParams } {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw pathError(raw, 'is missing', 'set the path in the node (e.g. /devices) or in msg.path.');
  }
  const template = raw.trim();
  const filled = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!NAME.test(name)) {
      throw pathError(raw, `has a part {{${name}}} that is not a name`, 'write a part as {{msg.deviceId}}.');
    }
    return values === undefined ? 'x' : encodeURIComponent(placeholderValue(raw, name, values));
  });
  if (/\{\{|\}\}/.test(filled)) {
    throw pathError(raw, 'has an unclosed {{ }} part', 'write a part as {{msg.deviceId}}.');
  }
  const single = /\{(\w+)\}/.exec(filled);
  if (single) {
    throw pathError(raw, `still holds the placeholder {${single[1]}}`, `write it as {{msg.${single[1]}}}.`);
  }
  if (/[\s\\#]/.test(filled) || /[^\x21-\x7e]/.test(filled)) {
    throw pathError(
      raw,
      'contains spaces, a backslash, a fragment (#) or characters that must be URL-encoded',
      'encode them (e.g. %20), or pass values as {{msg.x}} parts, which are encoded for you.',
    );
  }
  const base = new URL(apiUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(filled) || filled.startsWith('//')) {
    url = new URL(filled.startsWith('//') ? `${base.protocol}${filled}` : filled);
    if (url.origin !== base.origin || (basePath !== '' && !`${url.pathname}/`.startsWith(`${basePath}/`))) {
      throw pathError(
        raw,
        `is outside the KPN Things API (${base.origin}${basePath})`,
        'use a path below the API (e.g. /devices) or a URL on the API host: the token is only sent there.',
      );
    }
    if (url.username || url.password) {
      throw pathError(raw, 'carries a user name or password', 'remove them: the API uses the shared token.');
    }
  } else {
    url = new URL(`${base.origin}${basePath}/${filled.replace(/^\/+/, '')}`);
  }
  // WHATWG URLs drop "." and ".." segments (also written %2e): refuse them rather than guess.
  if (
    filled
      .split('?')[0]
      .split('/')
      .some((segment) => /^(\.|%2e){1,2}$/i.test(segment))
  ) {
    throw pathError(
      raw,
      'has a "." or ".." segment',
      'name the resource directly, e.g. /devices/{{msg.deviceId}}.',
    );
  }
  const relative = url.pathname.slice(basePath.length) || '/';
  const query: QueryParams = {};
  for (const name of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(name);
    query[name] = all.length === 1 ? all[0] : all;
  }
  return { path: relative, query };
}

function placeholderValue(raw: string, name: string, values: Record<string, unknown>): string {
  let value: unknown = values;
  for (const key of name.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw pathError(
    raw,
    `needs {{${name}}}, which is ${value === undefined ? 'not set' : preview(value)}`,
    `set ${name} to text or a number before this node.`,
  );
}

function pathError(value: unknown, problem: string, fix: string): ValidationError {
  return new ValidationError({ field: 'path', code: 'invalid_path', value, problem, fix });
}

const MEDIA_TYPE = /^([\w.+-]+|\*)\/[\w.+*-]+(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/;

/** An Accept value: one or more media ranges separated by commas. Throws ValidationError naming `accept`. */
export function mediaRange(raw: unknown, field = 'accept'): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text !== '' && text.split(',').every((part) => MEDIA_TYPE.test(part.trim()))) return text;
  throw new ValidationError({
    field,
    code: 'invalid_media_type',
    value: raw,
    problem: 'is not a list of media types',
    fix: 'use e.g. application/json, or application/vnd.kpnthings.device.v1.response+json for the beta device list.',
  });
}

/** A Content-Type value: one media type (default application/json). Throws ValidationError naming `contentType`. */
export function mediaType(raw: unknown, field = 'contentType'): string {
  const contentType = raw === undefined || raw === null || raw === '' ? MEDIA_TYPES.json : String(raw).trim();
  if (!MEDIA_TYPE.test(contentType) || contentType.includes('*')) {
    throw new ValidationError({
      field,
      code: 'invalid_media_type',
      value: raw,
      problem: 'is not one media type',
      fix: 'use e.g. application/json (the default) or text/plain.',
    });
  }
  return contentType;
}

function requestBody(
  body: unknown,
  rawType: unknown,
): Pick<PreparedRequest, 'contentType' | 'body' | 'rawBody'> {
  const contentType = mediaType(rawType);
  const essence = contentType.split(';')[0].trim().toLowerCase();
  if (essence === MEDIA_TYPES.json) return { contentType, body: jsonBody(body) };
  if (typeof body === 'string' || Buffer.isBuffer(body)) return { contentType, rawBody: body };
  if (body instanceof Uint8Array) return { contentType, rawBody: Buffer.from(body) };
  if (essence.endsWith('+json')) return { contentType, rawBody: JSON.stringify(body) };
  throw new ValidationError({
    field: 'msg.payload',
    code: 'invalid_payload',
    value: body,
    problem: `cannot be sent as ${essence}`,
    fix: 'give text or a Buffer for a non-JSON Content-Type.',
  });
}

/** A JSON body: text and Buffers must hold JSON (sent as that JSON, not as a quoted string). */
function jsonBody(body: unknown): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ValidationError({
        field: 'msg.payload',
        code: 'invalid_payload',
        value: body,
        problem: 'is text that is not JSON',
        fix: 'give an object or array, or JSON text, for Content-Type application/json.',
      });
    }
  }
  if (typeof body === 'function' || typeof body === 'symbol' || typeof body === 'bigint') {
    throw new ValidationError({
      field: 'msg.payload',
      code: 'invalid_payload',
      value: body,
      problem: 'cannot be sent as JSON',
      fix: 'give an object, array, text, number or true/false.',
    });
  }
  return body;
}

/** A known endpoint's own media type (e.g. the beta vendor types); else JSON, and problem+json on the current API. */
function defaultAccept(method: HttpMethod, path: string, api: 'current' | 'beta'): string {
  const known = knownEndpoint(method, path)?.accept;
  if (known !== undefined && known !== MEDIA_TYPES.json) return known;
  return api === 'beta' ? MEDIA_TYPES.json : DEFAULT_ACCEPT;
}

/** The endpoint-table entry a method and path match, if any (placeholders match one segment). */
function knownEndpoint(method: HttpMethod, path: string): Endpoint | undefined {
  const parts = path.split('/');
  return (Object.values(ENDPOINTS) as Endpoint[]).find((endpoint) => {
    if (endpoint.method !== method) return false;
    const segments = endpoint.path.split('/');
    return (
      segments.length === parts.length &&
      segments.every((segment, i) => /^\{\w+\}$/.test(segment) || segment === parts[i])
    );
  });
}

/** A link from an answer (or msg.cursor) as a URL on the API host; anything else is refused. */
function apiLink(link: string, apiUrl: string, field: string): string {
  const base = new URL(apiUrl);
  let url: URL;
  try {
    url = new URL(link, base);
  } catch {
    url = new URL('invalid:');
  }
  if (url.origin !== base.origin && field === 'msg.cursor') {
    throw new ValidationError({
      field,
      code: 'invalid_path',
      value: link,
      problem: `is not on the KPN Things API host (${base.origin})`,
      fix: 'pass the next or prev link of an earlier answer, or a bare cursor value.',
    });
  }
  if (url.origin !== base.origin) {
    throw new ThingsError(
      'malformed-response',
      {
        type: PROBLEM_TYPES.malformedResponse,
        title: 'Link outside the API',
        status: 0,
        detail: `The ${field} link ${preview(link)} is not on the KPN Things API host (${base.origin}): it was not followed.`,
      },
      { hint: 'response.foreign-link' },
    );
  }
  return url.toString();
}

/** Spring pages are numbered by `currentPage` on the beta API (documented), by `page` elsewhere. */
function pageParameter(prepared: PreparedRequest): string {
  if ('currentPage' in prepared.query || prepared.api === 'beta') return 'currentPage';
  return 'page';
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === '' || (body instanceof Uint8Array && body.length === 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCursorPage(body: unknown): body is CursorPage<unknown> {
  if (!isRecord(body) || !Array.isArray(body.items)) return false;
  return 'next' in body || 'prev' in body || Object.keys(body).length === 1;
}

function isSpringPage(body: unknown): body is BetaPage<unknown> {
  return isRecord(body) && Array.isArray(body.content) && typeof body.last === 'boolean';
}

function asFetched<B>(res: ThingsResponse<unknown>): { status: number; retries: number; body: B } {
  return { status: res.status, retries: res.retries, body: res.body as B };
}
