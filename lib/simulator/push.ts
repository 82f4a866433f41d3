/**
 * The simulator's HTTPS-destination side: it pushes signed uplink packs to registered
 * destinations the way KPN Things does (`Things-Message-Token` = sha256(body + secret),
 * `Things-Plug-UUID`, `Content-Type: application/json`), retries a failed delivery (at most three
 * attempts in total, growing delay) and records every attempt. Destinations must be loopback URLs.
 *
 * It computes the token itself (it never imports the client's verifier), so the two can disagree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { badRequest, isObject, json, parseJson, SimError, type Reply, type RequestContext } from './http';
import { packBody, PUSH_KINDS } from './push-packs';
import type { Route } from './server';
import type {
  DestinationInfo,
  DestinationOptions,
  PushAttempt,
  PushKind,
  PushOptions,
  PushResult,
  PushTamper,
} from './types';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** KPN's retry delays are not documented; these grow and stay short enough for a demo. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2_000, 8_000];
export const MAX_ATTEMPTS = 3;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RECORDED_ATTEMPTS = 10_000;

/** '5s', '500ms', '2m' or a number of milliseconds. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
    if (m) {
      const n = Number(m[1]) * (m[2] === 'm' ? 60_000 : m[2] === 's' || m[2] === undefined ? 1000 : 1);
      if (n > 0) return n;
    }
  }
  throw new TypeError(
    `${field} must be a duration such as '5s', '500ms' or '2m' (got ${JSON.stringify(value)}).`,
  );
}

interface Destination {
  info: DestinationInfo;
  secret: string;
  kinds: PushKind[];
  retryDelaysMs: number[];
  timeoutMs: number;
  sequence: number;
  timer?: NodeJS.Timeout;
}

export class PushDestinations {
  private readonly destinations = new Map<string, Destination>();
  private readonly attempts: PushAttempt[] = [];
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly inFlight = new Set<Promise<PushResult>>();
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly devEUIs: () => string[],
    private readonly now: () => number = Date.now,
  ) {}

  add(options: DestinationOptions): DestinationInfo {
    if (this.closed) throw new TypeError('The simulator is closed.');
    const url = checkUrl(options.url);
    if (typeof options.secret !== 'string' || options.secret.length === 0) {
      throw new TypeError('secret is required: the shared secret the receiver checks the token with.');
    }
    const kinds = options.kinds ?? [...PUSH_KINDS];
    if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => !PUSH_KINDS.includes(k))) {
      throw new TypeError(`kinds must be a non-empty list of ${PUSH_KINDS.join(', ')}.`);
    }
    const retryDelaysMs = [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)];
    if (retryDelaysMs.length !== MAX_ATTEMPTS - 1 || retryDelaysMs.some((d) => !(d >= 0))) {
      throw new TypeError(`retryDelaysMs must hold ${MAX_ATTEMPTS - 1} non-negative delays in ms.`);
    }
    const every = options.every === undefined ? undefined : parseDuration(options.every, 'every');
    const id = randomUUID();
    const info: DestinationInfo = {
      id,
      url,
      plugUUID: options.plugUUID ?? id,
      ...(every !== undefined ? { everyMs: every } : {}),
      kinds: [...kinds],
    };
    const destination: Destination = {
      info,
      secret: options.secret,
      kinds: [...kinds],
      retryDelaysMs,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      sequence: 0,
    };
    if (every !== undefined) {
      destination.timer = setInterval(() => {
        void this.push(id).catch(() => undefined);
      }, every);
    }
    this.destinations.set(id, destination);
    return { ...info, kinds: [...info.kinds] };
  }

  list(): DestinationInfo[] {
    return [...this.destinations.values()].map((d) => ({ ...d.info, kinds: [...d.info.kinds] }));
  }

  remove(id: string): boolean {
    const destination = this.destinations.get(id);
    if (!destination) return false;
    clearInterval(destination.timer);
    this.destinations.delete(id);
    return true;
  }

  /** Every attempt so far (of one destination when `id` is given), oldest first. */
  attemptsOf(id?: string): PushAttempt[] {
    return this.attempts.filter((a) => id === undefined || a.destinationId === id).map((a) => ({ ...a }));
  }

  clearAttempts(): void {
    this.attempts.length = 0;
  }

  /** Pushes one pack (with its retries); resolves when delivered or given up. */
  push(id: string, options: PushOptions = {}): Promise<PushResult> {
    const destination = this.destinations.get(id);
    if (!destination) return Promise.reject(new TypeError(`No destination ${id}.`));
    const kind = options.kind ?? destination.kinds[destination.sequence % destination.kinds.length];
    if (!PUSH_KINDS.includes(kind)) return Promise.reject(new TypeError(`Unknown kind ${String(kind)}.`));
    const tamper: PushTamper = options.tamper ?? 'none';
    if (!['none', 'forged', 'tampered'].includes(tamper)) {
      return Promise.reject(new TypeError(`tamper must be none, forged or tampered.`));
    }
    const devices = this.devEUIs();
    const sequence = ++destination.sequence;
    const devEUI =
      options.devEUI ?? devices[(sequence - 1) % Math.max(1, devices.length)] ?? '0059AC0000000001';
    const text =
      options.body ?? packBody(kind, { devEUI, sequence, timeSeconds: Math.floor(this.now() / 10_000) * 10 });
    let body: Buffer = Buffer.from(text, 'utf8');
    let token = sha256(body, destination.secret);
    if (tamper === 'forged') token = sha256(body, `${destination.secret}-forged`);
    if (tamper === 'tampered') body = flipOneByte(body);
    const run = this.deliver(destination, body, token, kind, tamper);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const d of this.destinations.values()) clearInterval(d.timer);
    this.destinations.clear();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
    for (const controller of this.controllers) controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(
    destination: Destination,
    body: Buffer,
    token: string,
    kind: PushKind,
    tamper: PushTamper,
  ): Promise<PushResult> {
    const attempts: PushAttempt[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) await this.wait(destination.retryDelaysMs[attempt - 2]);
      if (this.closed) break;
      const at = this.now();
      const outcome = await this.send(destination, body, token);
      const record: PushAttempt = {
        destinationId: destination.info.id,
        messageId: token,
        kind,
        tamper,
        attempt,
        status: outcome.status,
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
        at,
        durationMs: this.now() - at,
      };
      attempts.push(record);
      this.attempts.push(record);
      if (this.attempts.length > MAX_RECORDED_ATTEMPTS) this.attempts.shift();
      if (outcome.status >= 200 && outcome.status < 300) break;
    }
    const last = attempts[attempts.length - 1];
    return {
      messageId: token,
      kind,
      tamper,
      body: body.toString('utf8'),
      delivered: last !== undefined && last.status >= 200 && last.status < 300,
      attempts: attempts.map((a) => ({ ...a })),
    };
  }

  private send(
    destination: Destination,
    body: Buffer,
    token: string,
  ): Promise<{ status: number; error?: string }> {
    const url = new URL(destination.info.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const controller = new AbortController();
    this.controllers.add(controller);
    return new Promise<{ status: number; error?: string }>((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          signal: controller.signal,
          timeout: destination.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'things-plug-uuid': destination.info.plugUUID,
            'things-message-token': token,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${destination.timeoutMs} ms`)));
      req.on('error', (error) => resolve({ status: 0, error: error.message }));
      req.end(body);
    }).finally(() => this.controllers.delete(controller));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
      };
      this.waits.add(entry);
    });
  }
}

function sha256(body: Buffer, secret: string): string {
  return createHash('sha256').update(body).update(secret, 'utf8').digest('hex');
}

/** Changes one byte of the body (a digit or letter inside the first value string or number). */
function flipOneByte(body: Buffer): Buffer {
  const out = Buffer.from(body);
  const at = out.indexOf('"vs":"');
  const i = at >= 0 ? at + 6 : Math.floor(out.length / 2);
  out[i] = out[i] === 0x30 ? 0x31 : 0x30;
  return out;
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('url is required: the destination URL to push to.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`url '${value}' is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`url must be http:// or https://, not ${url.protocol}`);
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new TypeError(
      `The simulator pushes to loopback URLs only (127.0.0.1, localhost, [::1]), not '${url.hostname}'.`,
    );
  }
  return url.toString();
}

/** Admin routes under /_sim on the API listener (no token needed: the simulator is loopback only). */
export function pushRoutes(push: PushDestinations): Route[] {
  const route = (
    method: string,
    path: string,
    handle: (ctx: RequestContext) => Reply | Promise<Reply>,
  ): Route => ({
    method,
    path,
    key: `${method} ${path}`,
    handle,
  });
  const bodyOf = (ctx: RequestContext): Record<string, unknown> => {
    if (ctx.body.length === 0) return {};
    const parsed = parseJson(ctx.body);
    if (!parsed.ok || !isObject(parsed.value)) throw badRequest('The body must be a JSON object.');
    return parsed.value;
  };
  const known = (ctx: RequestContext): string => {
    const id = ctx.params.id;
    if (!push.list().some((d) => d.id === id)) throw new SimError(404, `Destination ${id} was not found.`);
    return id;
  };
  const typeErrors = async (run: () => Reply | Promise<Reply>): Promise<Reply> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TypeError) throw badRequest(error.message);
      throw error;
    }
  };
  return [
    route('POST', '/_sim/destinations', (ctx) =>
      typeErrors(() => json(201, push.add(bodyOf(ctx) as unknown as DestinationOptions))),
    ),
    route('GET', '/_sim/destinations', () => json(200, push.list())),
    route('DELETE', '/_sim/destinations/{id}', (ctx) => {
      push.remove(known(ctx));
      return { status: 204 };
    }),
    route('POST', '/_sim/destinations/{id}/push', (ctx) =>
      typeErrors(async () => json(200, await push.push(known(ctx), bodyOf(ctx) as PushOptions))),
    ),
    route('GET', '/_sim/destinations/{id}/attempts', (ctx) => json(200, push.attemptsOf(known(ctx)))),
  ];
}
