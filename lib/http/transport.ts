/**
 * One HTTP exchange over undici `request`: abort, undici's own headers/body timeouts (no timer of
 * ours), a response-size cap, the body always read or discarded, and undici's errors mapped onto the
 * ThingsError family. Redirects are never followed (a 3xx from the API means a bad token).
 * Per call it creates no AbortController, no timer and no iterator: the caller's one signal is passed
 * through, and the body is collected from its 'data' events.
 */
import { request, type Dispatcher } from 'undici';
import {
  ThingsAbortError,
  ThingsError,
  ThingsNetworkError,
  ThingsTimeoutError,
  PROBLEM_TYPES,
} from '../errors';
import type { HttpMethod } from '../endpoints';

export interface HttpRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Cancels the exchange (node closed, caller gave up). */
  signal?: AbortSignal;
  /** Timeout for the response headers, and again for each gap in the body (undici's own timers). */
  timeoutMs: number;
  /** Largest response body accepted. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names (as undici gives them); repeated headers joined with ', '. */
  headers: Record<string, string>;
  text: string;
}

/** Sends one request. Throws ThingsNetworkError, ThingsTimeoutError, ThingsAbortError or a size error. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  if (req.signal?.aborted) throw new ThingsAbortError();
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const headers = plainHeaders(res.headers);
    const text = await readCapped(res.body, req.maxResponseBytes, headers['content-length']);
    return { status: res.statusCode, headers, text };
  } catch (err) {
    throw mapError(err, req);
  }
}

function tooLarge(max: number): ThingsError {
  return new ThingsError(
    'malformed-response',
    {
      type: PROBLEM_TYPES.responseTooLarge,
      title: 'Response too large',
      status: 0,
      detail: `The response body exceeded the ${max}-byte limit (maxResponseBytes).`,
    },
    { hint: 'response.too-large' },
  );
}

/** The whole body as UTF-8 text, or a size error (the rest of the body is discarded). */
function readCapped(
  body: Dispatcher.ResponseData['body'],
  max: number,
  contentLength: string | undefined,
): Promise<string> {
  if (contentLength !== undefined && Number(contentLength) > max) {
    body.destroy();
    return Promise.reject(tooLarge(max));
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        body.destroy();
        reject(tooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => {
      if (chunks.length === 0) resolve('');
      else if (chunks.length === 1) resolve(chunks[0].toString('utf8'));
      else resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    body.once('error', reject);
  });
}

/** undici's header object as is when every value is a single string (the usual case); joined otherwise. */
function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const name in headers) {
    if (typeof headers[name] !== 'string') return joinedHeaders(headers);
  }
  return headers as Record<string, string>;
}

function joinedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

function mapError(err: unknown, req: HttpRequest): ThingsError {
  if (err instanceof ThingsError) return err;
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | undefined)?.cause);
  const where = `${req.method} ${new URL(req.url).origin}${new URL(req.url).pathname}`;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ThingsTimeoutError(`No answer to ${where} within ${req.timeoutMs} ms.`, code);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new ThingsNetworkError(`Could not connect for ${where} in time.`, code, err);
  }
  if (req.signal?.aborted) return new ThingsAbortError();
  const message = err instanceof Error ? err.message : String(err);
  return new ThingsNetworkError(`${where} failed: ${message}`, code, err);
}
