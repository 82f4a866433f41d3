/**
 * The memory of recent message ids that recognises KPN's retries (the token is a content hash, so
 * a retry of the same pack carries the same id). The in-process store answers synchronously; a
 * shared store (a Node-RED context store, Redis behind it) answers with a promise.
 */

/** A store of recently seen message ids. */
export interface RecentIds {
  /**
   * Remembers `id` and tells whether it was already remembered (and not yet expired): true means
   * this is a repeat. Must be atomic per id in-process; may return a promise.
   */
  checkAndRemember(id: string): boolean | Promise<boolean>;
  /** Forgets `id`, so a delivery that failed before reaching the flow is not mistaken for a repeat. */
  forget(id: string): void | Promise<void>;
}

export interface MemoryRecentIdsOptions {
  /** Most ids kept; the oldest are dropped first. Default 10 000. */
  maxIds?: number;
  /** How long an id is kept, in ms. Default 10 minutes (KPN makes at most three attempts). */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_RECENT_IDS = 10_000;
export const DEFAULT_RECENT_IDS_TTL_MS = 10 * 60_000;

/**
 * In-process, bounded, time-limited memory: a Map for lookups plus a ring of (id, expiry) in
 * insertion order, which is expiry order since every id lives equally long. Expired ids are
 * dropped from the ring's tail, the oldest is evicted when full. O(1) per call, never iterates the Map.
 */
export class MemoryRecentIds implements RecentIds {
  /** id -> its expiry (ms). */
  private readonly ids = new Map<string, number>();
  private readonly ringIds: (string | undefined)[];
  private readonly ringExpiry: Float64Array;
  /** Index of the oldest entry, and how many entries the ring holds. */
  private tail = 0;
  private count = 0;
  private readonly maxIds: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: MemoryRecentIdsOptions = {}) {
    this.maxIds = positiveInteger(options.maxIds ?? DEFAULT_RECENT_IDS, 'maxIds');
    this.ttlMs = positiveInteger(options.ttlMs ?? DEFAULT_RECENT_IDS_TTL_MS, 'ttlMs');
    this.now = options.now ?? Date.now;
    this.ringIds = new Array<string | undefined>(this.maxIds);
    this.ringExpiry = new Float64Array(this.maxIds);
  }

  get size(): number {
    return this.ids.size;
  }

  checkAndRemember(id: string): boolean {
    const now = this.now();
    while (this.count > 0 && this.ringExpiry[this.tail] <= now) this.dropTail();
    const expires = this.ids.get(id);
    if (expires !== undefined && expires > now) return true;
    if (this.count === this.maxIds) this.dropTail();
    const slot = (this.tail + this.count) % this.maxIds;
    this.ringIds[slot] = id;
    this.ringExpiry[slot] = now + this.ttlMs;
    this.count++;
    this.ids.set(id, now + this.ttlMs);
    return false;
  }

  forget(id: string): void {
    // The ring entry stays until it expires; dropTail only deletes ids whose expiry it holds.
    this.ids.delete(id);
  }

  private dropTail(): void {
    const id = this.ringIds[this.tail];
    if (id !== undefined && this.ids.get(id) === this.ringExpiry[this.tail]) this.ids.delete(id);
    this.ringIds[this.tail] = undefined;
    this.tail = (this.tail + 1) % this.maxIds;
    this.count--;
  }
}

/**
 * The shape of an asynchronous key-value store, e.g. a Node-RED context store wrapped as
 * `{ get: (k) => promisify(ctx.get)(k, store), set: (k, v) => promisify(ctx.set)(k, v, store) }`.
 * `set(key, undefined)` deletes the key.
 */
export interface AsyncKeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export interface StoreRecentIdsOptions {
  /** Prefix of every key, e.g. `kpnUplink_<nodeId>_`; keep it free of `.` and `[` (context paths). */
  keyPrefix: string;
  /** How long an id counts as recent, in ms. Default 10 minutes. */
  ttlMs?: number;
  /** Ids this instance deletes again after `ttlMs` (it keeps a list of its own writes). Default 10 000. */
  maxIds?: number;
  now?: () => number;
}

/**
 * Recent ids in a shared store, so several instances behind one load balancer recognise each
 * other's retries. One key per id holding its expiry time (ms). A local memory answers repeats
 * seen by this instance without a round trip; the instance deletes the keys it wrote once they
 * expire. Get-then-set is not atomic across instances: two instances receiving the same retry in
 * the same millisecond may both emit it (KPN spaces its attempts out, so this is rare).
 */
export class StoreRecentIds implements RecentIds {
  private readonly local: MemoryRecentIds;
  private readonly written = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxIds: number;
  private readonly now: () => number;

  constructor(
    private readonly store: AsyncKeyValueStore,
    private readonly options: StoreRecentIdsOptions,
  ) {
    if (typeof options.keyPrefix !== 'string' || /[.[\]]/.test(options.keyPrefix)) {
      throw new TypeError('keyPrefix must be a string without ".", "[" or "]" (context key paths).');
    }
    this.ttlMs = positiveInteger(options.ttlMs ?? DEFAULT_RECENT_IDS_TTL_MS, 'ttlMs');
    this.maxIds = positiveInteger(options.maxIds ?? DEFAULT_RECENT_IDS, 'maxIds');
    this.now = options.now ?? Date.now;
    this.local = new MemoryRecentIds({ ttlMs: this.ttlMs, maxIds: this.maxIds, now: this.now });
  }

  async checkAndRemember(id: string): Promise<boolean> {
    if (this.local.checkAndRemember(id)) return true;
    const key = this.options.keyPrefix + id;
    const now = this.now();
    const stored = await this.store.get(key);
    if (typeof stored === 'number' && stored > now) return true;
    await this.store.set(key, now + this.ttlMs);
    this.written.set(key, now + this.ttlMs);
    await this.expireWritten(now);
    return false;
  }

  async forget(id: string): Promise<void> {
    this.local.forget(id);
    const key = this.options.keyPrefix + id;
    this.written.delete(key);
    await this.store.set(key, undefined);
  }

  private async expireWritten(now: number): Promise<void> {
    const expired: string[] = [];
    for (const [key, expires] of this.written) {
      if (expires > now && this.written.size - expired.length <= this.maxIds) break;
      expired.push(key);
    }
    for (const key of expired) {
      this.written.delete(key);
      await this.store.set(key, undefined);
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer.`);
  return value;
}
