/**
 * The token providers of one Node-RED runtime (or one program), shared per credential: every client
 * built with the same registry and the same token URL, application id, client id and secret uses one
 * provider, so the flows hold one token (and one 429 pause) per API key. A redeploy with unchanged
 * credentials finds the token still cached; changed credentials make a different key and a fresh token.
 * The registry is an explicit object its owner (the config node module) creates once and passes to
 * every client; a client given none gets a private one. Keys are hashes: no secret is kept in clear.
 */
import { createHash } from 'node:crypto';
import { TokenProvider, type TokenProviderOptions } from './token-provider';

interface Entry {
  provider: TokenProvider;
  refs: number;
}

export interface ProviderLease {
  provider: TokenProvider;
  release(): void;
}

function tokenProviderKey(options: TokenProviderOptions): string {
  return createHash('sha256')
    .update(JSON.stringify([options.tokenUrl, options.applicationId, options.clientId, options.clientSecret]))
    .digest('hex');
}

export class TokenRegistry {
  readonly #entries = new Map<string, Entry>();

  /** Providers currently kept (held by a client, or holding a valid token). */
  get size(): number {
    return this.#entries.size;
  }

  /** The provider for this credential; release the lease when the client closes. */
  acquire(options: TokenProviderOptions): ProviderLease {
    this.#sweep();
    const key = tokenProviderKey(options);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { provider: new TokenProvider(options), refs: 0 };
      this.#entries.set(key, entry);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      provider: held.provider,
      release: (): void => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs === 0 && !held.provider.hasValidToken) this.#entries.delete(key);
      },
    };
  }

  /** Unused providers whose token has expired are forgotten. */
  #sweep(): void {
    for (const [key, entry] of this.#entries) {
      if (entry.refs === 0 && !entry.provider.hasValidToken) this.#entries.delete(key);
    }
  }
}
