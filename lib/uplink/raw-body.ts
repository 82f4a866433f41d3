/**
 * Reads a request body as raw bytes, exactly as received, with a size limit: the bytes the
 * `Things-Message-Token` is computed over. Works on any Node `http.IncomingMessage` (express's req
 * is one) as long as nothing has consumed the stream before.
 */
import type { IncomingMessage } from 'node:http';

/** The default body limit: 256 KiB (KPN's SenML packs are a few hundred bytes). */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;

export type RawBodyResult =
  | { ok: true; body: Buffer }
  /** `Content-Length` or the bytes read so far exceed the limit: answer 413 (and close the connection). */
  | { ok: false; reason: 'too-large'; size: number }
  /** A `Content-Length` that is not a plain non-negative integer: answer 400. */
  | { ok: false; reason: 'bad-length'; size: number }
  /** The client went away or the stream failed: nothing to answer. */
  | { ok: false; reason: 'aborted'; size: number }
  /** Something (a body parser) read the stream before us: the raw bytes are gone (a set-up error). */
  | { ok: false; reason: 'consumed'; size: number };

const DIGITS = /^\d+$/;

/**
 * Where a body read ahead of the handler is kept on the request: a server that parses bodies in front of
 * every route (Node-RED's admin app shares the root path with httpNode by default, and its JSON parser
 * reads every body) lets a middleware placed before it read the raw bytes with {@link readRawBodyThen}
 * and store the result here; the receiver then uses it instead of the (consumed) stream.
 */
export const CAPTURED_BODY: unique symbol = Symbol.for('@thingsflow/node-red-kpn-things:uplink-raw-body');

type WithCaptured = IncomingMessage & { [CAPTURED_BODY]?: RawBodyResult };

/** Stores a body read ahead (see {@link CAPTURED_BODY}). */
export function keepCapturedBody(req: IncomingMessage, result: RawBodyResult): void {
  (req as WithCaptured)[CAPTURED_BODY] = result;
}

/**
 * Reads the whole body into one Buffer (chunks collected, one concat; a single chunk is returned as is).
 * `Content-Length` is checked before reading; a body without one (chunked) stops being kept as soon
 * as it passes the limit, and the rest is discarded unread. Never rejects.
 */
export function readRawBody(
  req: IncomingMessage,
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
): Promise<RawBodyResult> {
  return new Promise((resolve) => readRawBodyThen(req, limitBytes, resolve));
}

/** {@link readRawBody} with a callback (called exactly once): no promise on the hot path. */
export function readRawBodyThen(
  req: IncomingMessage,
  limitBytes: number,
  done: (result: RawBodyResult) => void,
): void {
  const captured = (req as WithCaptured)[CAPTURED_BODY];
  if (captured !== undefined) {
    if (captured.ok && captured.body.length > limitBytes) {
      return done({ ok: false, reason: 'too-large', size: captured.body.length });
    }
    return done(captured);
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    if (!DIGITS.test(declared)) return done({ ok: false, reason: 'bad-length', size: 0 });
    const length = Number(declared);
    if (length > limitBytes) return done({ ok: false, reason: 'too-large', size: length });
  }
  if (req.readableEnded) return done({ ok: false, reason: 'consumed', size: 0 });
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (result: RawBodyResult): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('close', onClose);
    done(result);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limitBytes) {
      chunks.length = 0;
      settle({ ok: false, reason: 'too-large', size });
      // Keep the stream flowing so the socket is not stuck; the caller answers 413 and closes.
      req.resume();
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    settle({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
  };
  const onAbort = (): void => settle({ ok: false, reason: 'aborted', size });
  const onClose = (): void => {
    if (!req.complete) onAbort();
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onClose);
}
