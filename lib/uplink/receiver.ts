/**
 * The framework-free receiver of KPN Things HTTPS destination pushes: a plain Node
 * `(req, res)` handler (express's req/res work too) that checks method, size, media type,
 * destination auth and the `Things-Message-Token` over the raw bytes, recognises retries, and
 * hands the resolved messages over before answering 200.
 *
 * Media type rule (`expect`):
 * - 'senml' (default): the body must be JSON. A Content-Type that is clearly something else
 *   (not absent, not `application/json`, `*\/*+json`, `text/json` or `text/plain`) gets 415;
 *   a verified body that is not valid JSON gets 400. Valid JSON that is not a SenML pack
 *   (a Destination Format script's JSON) is passed through.
 * - 'any': every media type is accepted. JSON types (and an absent type) are parsed when they
 *   parse; `text/*` becomes a string; anything else a Buffer. Nothing gets 415 or 400.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEADERS } from '../endpoints';
import { matchThingsMessageToken } from '../uplink-signature';
import { interpretJson, toUplinkMessages, type BodyInterpretation, type UplinkMessage } from './message';
import { DEFAULT_BODY_LIMIT_BYTES, readRawBodyThen, type RawBodyResult } from './raw-body';
import { MemoryRecentIds, type RecentIds } from './recent-ids';

/** The header names as Node gives them (lower case); their home is HEADERS in lib/endpoints.ts. */
export const MESSAGE_TOKEN_HEADER = HEADERS.messageToken.toLowerCase();
export const PLUG_UUID_HEADER = HEADERS.plugUUID.toLowerCase();
export const DEFAULT_API_KEY_HEADER = HEADERS.apiKey.toLowerCase();

/** The destination's own auth method, as configured in the KPN Things portal. */
export type DestinationAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  /** A static header (X-API-key by default) carrying `value`. */
  | { type: 'header'; name?: string; value: string };

export interface UplinkReceiverOptions {
  /** The destination's shared secret. */
  sharedSecret: string;
  /** Also accepted while a secret is being rotated. */
  previousSecret?: string;
  /** Accepted methods; default ['POST']. */
  methods?: readonly ('POST' | 'GET')[];
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** Default 'senml' (see the module comment). */
  expect?: 'senml' | 'any';
  /** When set, `Things-Plug-UUID` must equal it (case-insensitive), else 403. */
  plugUUID?: string;
  auth?: DestinationAuth;
  /** 'pack' (default) or 'device'. */
  split?: 'pack' | 'device';
  /** What to do with a repeat: 'drop' (default: answer 200, emit nothing) or 'mark' (msg.duplicate = true). */
  duplicates?: 'drop' | 'mark';
  /** Default: a fresh in-process memory (10 000 ids, 10 minutes). */
  recentIds?: RecentIds;
  /** Receives the messages of one verified push; throwing makes the answer 500 (KPN retries). */
  onMessage(messages: UplinkMessage[]): void;
  /** A rejected request. Never carries the secret, the token or the body. */
  onReject?(rejection: UplinkRejection, remoteAddress: string | undefined): void;
  /** A failure of the recent-ids store (the message is then emitted, as if not a repeat). */
  onStoreError?(error: unknown): void;
}

export type RejectionCode =
  | 'method'
  | 'too-large'
  | 'bad-length'
  | 'media-type'
  | 'auth'
  | 'plug-uuid'
  | 'missing-token'
  | 'bad-token'
  | 'invalid-json'
  | 'empty-body'
  | 'consumed'
  | 'handler-failed';

export interface UplinkRejection {
  code: RejectionCode;
  status: number;
  message: string;
}

export interface UplinkReceiverStats {
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Accepted with `previousSecret`: KPN still uses the old secret. */
  previousSecretUsed: number;
  /** Epoch ms of the last accepted push (0 before the first). */
  lastAcceptedAt: number;
}

export type UplinkReceiver = ((req: IncomingMessage, res: ServerResponse) => void) & {
  readonly stats: Readonly<UplinkReceiverStats>;
};

const JSON_TYPES = /^(application\/(json|[a-z0-9.+-]*\+json)|text\/json)$/;

function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const type = header.split(';', 1)[0].trim().toLowerCase();
  return type === '' ? undefined : type;
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time string equality (both sides hashed first, so lengths do not leak). */
function sameSecret(expected: Buffer, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(expected, digestOf(given));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

function checkOptions(options: UplinkReceiverOptions): void {
  if (typeof options.sharedSecret !== 'string' || options.sharedSecret.length === 0) {
    throw new TypeError('sharedSecret is required: the secret of the KPN Things HTTPS destination.');
  }
  if (options.previousSecret !== undefined && typeof options.previousSecret !== 'string') {
    throw new TypeError('previousSecret must be a string (or left out).');
  }
  const max = options.maxBodyBytes;
  if (max !== undefined && (!Number.isInteger(max) || max <= 0)) {
    throw new TypeError('maxBodyBytes must be a positive integer number of bytes.');
  }
  if (typeof options.onMessage !== 'function') throw new TypeError('onMessage must be a function.');
  for (const m of options.methods ?? ['POST']) {
    if (m !== 'POST' && m !== 'GET') throw new TypeError(`methods may hold 'POST' and 'GET', not '${m}'.`);
  }
}

/** Builds the `(req, res)` handler. Options are checked here: bad options throw a TypeError. */
export function createUplinkReceiver(options: UplinkReceiverOptions): UplinkReceiver {
  checkOptions(options);
  const secrets = [options.sharedSecret, options.previousSecret];
  const methods = new Set<string>(options.methods ?? ['POST']);
  const allow = [...methods].join(', ');
  const limit = options.maxBodyBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const expect = options.expect ?? 'senml';
  const pinnedPlug = options.plugUUID?.toLowerCase();
  const recentIds = options.recentIds ?? new MemoryRecentIds();
  const markDuplicates = options.duplicates === 'mark';
  const auth = options.auth ?? { type: 'none' };
  const authHeader = auth.type === 'header' ? (auth.name ?? DEFAULT_API_KEY_HEADER).toLowerCase() : '';
  const expectedAuth =
    auth.type === 'basic'
      ? digestOf(`Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`)
      : auth.type === 'bearer'
        ? digestOf(`Bearer ${auth.token}`)
        : auth.type === 'header'
          ? digestOf(auth.value)
          : undefined;
  const stats: UplinkReceiverStats = {
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    previousSecretUsed: 0,
    lastAcceptedAt: 0,
  };

  const reject = (
    req: IncomingMessage,
    res: ServerResponse,
    code: RejectionCode,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): void => {
    stats.rejected++;
    answer(res, status, message, headers);
    if (options.onReject) {
      try {
        options.onReject({ code, status, message }, req.socket?.remoteAddress);
      } catch {
        // A failing reporter must not break the receiver.
      }
    }
  };

  const authorised = (req: IncomingMessage): boolean => {
    if (expectedAuth === undefined) return true;
    const given = auth.type === 'header' ? single(req.headers[authHeader]) : req.headers.authorization;
    return sameSecret(expectedAuth, given);
  };

  const deliver = (res: ServerResponse, messages: UplinkMessage[], messageId: string): void => {
    try {
      options.onMessage(messages);
    } catch {
      void Promise.resolve(recentIds.forget(messageId)).catch(() => undefined);
      answer(res, 500, 'The message could not be handed over; try again.');
      stats.rejected++;
      return;
    }
    stats.accepted++;
    stats.lastAcceptedAt = Date.now();
    answer(res, 200, 'OK');
  };

  // Callbacks rather than async/await: the in-memory path answers without a promise.
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    if (!methods.has(method)) {
      return reject(req, res, 'method', 405, `Method ${method} is not allowed here.`, { allow });
    }
    if (!authorised(req)) {
      const challenge: Record<string, string> =
        auth.type === 'basic' ? { 'www-authenticate': 'Basic realm="kpn-things-uplink"' } : {};
      return reject(req, res, 'auth', 401, 'Destination authentication failed.', challenge);
    }
    const contentType = mediaType(single(req.headers['content-type']));
    const jsonType = contentType === undefined || JSON_TYPES.test(contentType);
    if (expect === 'senml' && !jsonType && contentType !== 'text/plain') {
      return reject(req, res, 'media-type', 415, `Content-Type ${contentType} is not JSON; SenML expected.`);
    }
    const plug = single(req.headers[PLUG_UUID_HEADER]);
    if (pinnedPlug !== undefined && plug?.toLowerCase() !== pinnedPlug) {
      return reject(req, res, 'plug-uuid', 403, 'Things-Plug-UUID does not match this destination.');
    }
    const token = single(req.headers[MESSAGE_TOKEN_HEADER]);
    if (token === undefined) {
      return reject(req, res, 'missing-token', 403, 'Missing Things-Message-Token.');
    }
    readRawBodyThen(req, limit, (read) => {
      try {
        received(req, res, read, { method, contentType, jsonType, plug, token });
      } catch {
        answer(res, 500, 'Internal error.');
      }
    });
  };

  const received = (
    req: IncomingMessage,
    res: ServerResponse,
    read: RawBodyResult,
    head: {
      method: string;
      contentType: string | undefined;
      jsonType: boolean;
      plug: string | undefined;
      token: string;
    },
  ): void => {
    const { method, contentType, jsonType, plug, token } = head;
    if (!read.ok) {
      if (read.reason === 'aborted') {
        stats.rejected++;
        return;
      }
      if (read.reason === 'too-large') {
        return reject(req, res, 'too-large', 413, `The body must not be larger than ${limit} bytes.`, {
          connection: 'close',
        });
      }
      if (read.reason === 'consumed') {
        return reject(req, res, 'consumed', 500, 'The request body was already read by a body parser.');
      }
      return reject(req, res, 'bad-length', 400, 'Content-Length is not a valid number.');
    }
    const body = read.body;
    const matched = matchThingsMessageToken(body, secrets, token);
    if (matched < 0) return reject(req, res, 'bad-token', 403, 'Incorrect Things-Message-Token.');
    if (matched === 1) stats.previousSecretUsed++;

    let interpretation: BodyInterpretation | undefined;
    if (body.length === 0) {
      if (expect === 'senml' && method === 'POST') {
        return reject(req, res, 'empty-body', 400, 'The body is empty; a SenML JSON array was expected.');
      }
      interpretation = { senml: false, payload: '' };
    } else if (jsonType || (expect === 'senml' && contentType === 'text/plain')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        if (expect === 'senml') {
          return reject(req, res, 'invalid-json', 400, 'The body is not valid JSON; SenML was expected.');
        }
        interpretation = { senml: false, payload: contentType === undefined ? body : body.toString('utf8') };
      }
      interpretation ??= interpretJson(parsed);
    } else if (contentType?.startsWith('text/')) {
      interpretation = { senml: false, payload: body.toString('utf8') };
    } else {
      interpretation = { senml: false, payload: body };
    }

    const messageId = token.toLowerCase();
    const interpreted = interpretation;
    const proceed = (repeat: boolean): void => {
      if (repeat) {
        stats.duplicates++;
        if (!markDuplicates) {
          answer(res, 200, 'OK (repeat)');
          return;
        }
      }
      const messages = toUplinkMessages(interpreted, {
        split: options.split,
        messageId,
        ...(plug !== undefined ? { plugUUID: plug } : {}),
      });
      if (repeat) for (const m of messages) m.duplicate = true;
      deliver(res, messages, messageId);
    };
    const storeFailed = (error: unknown): void => {
      try {
        options.onStoreError?.(error);
      } catch {
        // A failing reporter must not break the receiver.
      }
    };
    let seen: boolean | Promise<boolean>;
    try {
      seen = recentIds.checkAndRemember(messageId);
    } catch (error) {
      storeFailed(error);
      seen = false;
    }
    if (typeof seen === 'boolean') return proceed(seen);
    seen
      .then(proceed, (error: unknown) => {
        storeFailed(error);
        proceed(false);
      })
      .catch(() => {
        if (!res.headersSent && !res.destroyed) answer(res, 500, 'Internal error.');
      });
  };

  const receiver = ((req: IncomingMessage, res: ServerResponse): void => {
    try {
      handle(req, res);
    } catch {
      answer(res, 500, 'Internal error.');
    }
  }) as UplinkReceiver;
  Object.defineProperty(receiver, 'stats', { get: () => ({ ...stats }), enumerable: true });
  return receiver;
}

function answer(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
