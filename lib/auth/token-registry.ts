/**
 * Token providers shared per credential: every client (config node) built with the same
 * token URL, application id, client id and secret uses one provider, so the flows of a
 * Node-RED instance hold one token per API key. A redeploy with unchanged credentials finds
 * the token still cached; changed credentials make a different key and a fresh token.
 * Keys are hashes: the secret is not kept in the map in clear.
 */
import { createHash } from 'node:crypto';
import { TokenProvider, type TokenProviderOptions } from './token-provider';

interface Entry {
  provider: TokenProvider;
  refs: number;
}

const entries = new Map<string, Entry>();

export function tokenProviderKey(options: TokenProviderOptions): string {
  return createHash('sha256')
    .update(JSON.stringify([options.tokenUrl, options.applicationId, options.clientId, options.clientSecret]))
    .digest('hex');
}

export interface ProviderLease {
  provider: TokenProvider;
  release(): void;
}

export function acquireTokenProvider(options: TokenProviderOptions): ProviderLease {
  sweep();
  const key = tokenProviderKey(options);
  let entry = entries.get(key);
  if (!entry) {
    entry = { provider: new TokenProvider(options), refs: 0 };
    entries.set(key, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    provider: held.provider,
    release(): void {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs === 0 && !held.provider.hasValidToken) entries.delete(key);
    },
  };
}

/** Unused providers whose token has expired are forgotten. */
function sweep(): void {
  for (const [key, entry] of entries) {
    if (entry.refs === 0 && !entry.provider.hasValidToken) entries.delete(key);
  }
}
