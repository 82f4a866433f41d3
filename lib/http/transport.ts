/**
 * One HTTP exchange over undici `request`: a per-attempt timeout, abort, a response-size cap,
 * the body always read or discarded, and undici's errors mapped onto the ThingsError family.
 * Redirects are never followed (the beta API signals a bad token with 302).
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
import { linkAbort } from './abort';

export interface HttpRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  /** Cancels the exchange (node closed, caller gave up). */
  signal?: AbortSignal;
  /** Whole-exchange timeout for this attempt: connect, headers and body. */
  timeoutMs: number;
  /** Largest response body accepted. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends one request. Throws ThingsNetworkError, ThingsTimeoutError, ThingsAbortError or a size error. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  if (req.signal?.aborted) throw new ThingsAbortError();
  const attempt = linkAbort(req.signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, req.timeoutMs);
  const signal = attempt.signal;
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const text = await readCapped(res.body, req.maxResponseBytes);
    return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
  } catch (err) {
    throw mapError(err, req, timedOut);
  } finally {
    clearTimeout(timer);
    attempt.dispose();
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) {
      body.destroy();
      throw new ThingsError('malformed-response', {
        type: PROBLEM_TYPES.responseTooLarge,
        title: 'Response too large',
        status: 0,
        detail: `The response body exceeded the ${max}-byte limit (maxResponseBytes); ask for smaller pages.`,
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
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

function mapError(err: unknown, req: HttpRequest, timedOut: boolean): ThingsError {
  if (err instanceof ThingsError) return err;
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | undefined)?.cause);
  const where = `${req.method} ${new URL(req.url).origin}${new URL(req.url).pathname}`;
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ThingsTimeoutError(
      `No complete answer to ${where} within ${req.timeoutMs} ms; raise the timeout or check the network.`,
      code,
    );
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new ThingsNetworkError(
      `Could not connect for ${where} in time: check the URL, proxy settings and network.`,
      code,
      err,
    );
  }
  if (req.signal?.aborted) return new ThingsAbortError();
  const message = err instanceof Error ? err.message : String(err);
  return new ThingsNetworkError(`${where} failed: ${message}`, code, err);
}
