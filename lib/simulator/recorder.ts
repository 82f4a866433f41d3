/**
 * Records every request the simulator receives, with secrets redacted.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RecordedRequest } from './types';

export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SECRET_FIELDS = new Set(['client_secret', 'clientSecret', 'password', 'secret']);

export class Recorder {
  /** The live array handed out as `simulator.requests` (cleared in place). */
  readonly requests: RecordedRequest[] = [];

  record(entry: RecordedRequest): void {
    this.requests.push(entry);
  }

  for(route: string): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  clear(): void {
    this.requests.length = 0;
  }
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out[key] = SECRET_HEADERS.has(key) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** The body as parsed JSON (or raw text when it is not JSON), secrets redacted. */
export function recordedBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return redactValue(JSON.parse(text));
  } catch {
    return text.replace(/((?:^|&)client_?secret=)[^&]*/gi, `$1${REDACTED}`);
  }
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_FIELDS.has(key) ? REDACTED : redactValue(inner);
    }
    return out;
  }
  return value;
}
