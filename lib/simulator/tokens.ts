/**
 * Access tokens GRIP has issued: random opaque strings with an issue time and a lifetime.
 */
import { randomBytes } from 'node:crypto';

export type TokenCheck =
  | { ok: true; apiKey: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' };

interface TokenRecord {
  apiKey: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  private issuedCount = 0;

  get issued(): number {
    return this.issuedCount;
  }

  issue(apiKey: string, lifetimeSeconds: number): string {
    const token = randomBytes(32).toString('base64url');
    const issuedAt = Date.now();
    this.tokens.set(token, {
      apiKey,
      issuedAt,
      expiresAt: issuedAt + lifetimeSeconds * 1000,
      revoked: false,
    });
    this.issuedCount++;
    if (this.tokens.size > 10_000) this.prune(issuedAt);
    return token;
  }

  /** Checks an Authorization header value. */
  check(authorization: string | undefined): TokenCheck {
    if (authorization === undefined || authorization.trim() === '') return { ok: false, reason: 'missing' };
    const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (!match) return { ok: false, reason: 'malformed' };
    const record = this.tokens.get(match[1]);
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    if (Date.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, apiKey: record.apiKey };
  }

  revokeAll(): void {
    for (const record of this.tokens.values()) record.revoked = true;
  }

  /** Forgets expired tokens so a long benchmark does not grow the map forever. */
  private prune(now: number): void {
    for (const [token, record] of this.tokens) {
      if (record.expiresAt <= now) this.tokens.delete(token);
    }
  }
}

export const TOKEN_FAILURE_DETAIL: Record<Exclude<TokenCheck, { ok: true }>['reason'], string> = {
  missing: 'Missing bearer token: send an Authorization: Bearer <access token> header.',
  malformed: "The Authorization header must be 'Bearer <access token>'.",
  unknown: 'The access token is invalid.',
  expired: 'The access token has expired.',
  revoked: 'The access token has been revoked.',
};
