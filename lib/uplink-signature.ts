/**
 * The `Things-Message-Token` of KPN Things HTTPS destinations: lowercase hex SHA-256 over the raw
 * request body bytes followed by the shared secret bytes (plain concatenation, not HMAC).
 * Hash the raw body before any JSON parsing: re-serialised JSON does not give the same bytes.
 * A string body is hashed as its UTF-8 bytes; prefer the raw Buffer as received.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const TOKEN = /^[0-9a-f]{64}$/i;

function digest(rawBody: Buffer | Uint8Array | string, sharedSecret: string): Buffer {
  // Strings are hashed as their UTF-8 bytes (update's own encoding: no Buffer made per call).
  const hash = createHash('sha256');
  if (typeof rawBody === 'string') hash.update(rawBody, 'utf8');
  else hash.update(rawBody);
  return hash.update(sharedSecret, 'utf8').digest();
}

/** `sha256(rawBody + sharedSecret)` as lowercase hex; a string body is hashed as its UTF-8 bytes. */
export function computeThingsMessageToken(
  rawBody: Buffer | Uint8Array | string,
  sharedSecret: string,
): string {
  return digest(rawBody, sharedSecret).toString('hex');
}

/**
 * True when `token` (the `Things-Message-Token` header) matches the body and secret. Compares in
 * constant time and ignores the case of the hex digits. False for anything that is not a 64-digit hex
 * string (including a repeated header, which Node gives as an array) and for an empty shared secret,
 * since a token without a secret proves nothing.
 */
export function verifyThingsMessageToken(
  rawBody: Buffer | Uint8Array | string,
  sharedSecret: string,
  token: unknown,
): boolean {
  if (typeof token !== 'string' || !TOKEN.test(token)) return false;
  if (typeof sharedSecret !== 'string' || sharedSecret.length === 0) return false;
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) return false;
  return timingSafeEqual(digest(rawBody, sharedSecret), Buffer.from(token, 'hex'));
}

/**
 * Which of several shared secrets (the current one, then the previous one while a secret is being
 * rotated) the token matches: its index, or -1. Every non-empty secret is hashed and compared in
 * constant time (no early exit), so the timing does not tell which one matched. Empty or missing
 * secrets are skipped; a token that is not 64 hex digits matches none.
 */
export function matchThingsMessageToken(
  rawBody: Buffer | Uint8Array | string,
  secrets: readonly (string | undefined)[],
  token: unknown,
): number {
  if (typeof token !== 'string' || token.length !== 64) return -1;
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) return -1;
  // Hex decoding stops at the first pair that is not hex: 32 bytes out means 64 hex digits in.
  const expected = Buffer.from(token, 'hex');
  if (expected.length !== 32) return -1;
  let match = -1;
  for (let i = 0; i < secrets.length; i++) {
    const secret = secrets[i];
    if (typeof secret !== 'string' || secret.length === 0) continue;
    if (timingSafeEqual(digest(rawBody, secret), expected) && match < 0) match = i;
  }
  return match;
}
