/**
 * A small seeded pseudo-random generator (mulberry32) and the identifiers built from it.
 * Same seed, same sequence: the simulator's data set is reproducible.
 */

export class Random {
  private state: number;

  constructor(seed: number) {
    // Spread small seeds (1, 2, 3...) over the state space.
    this.state = (Math.imul(seed >>> 0 || 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A version-4-looking UUID (lower case). */
  uuid(): string {
    return uuidFrom(this.uint32(), this.uint32(), this.uint32(), this.uint32());
  }
}

/** A version-4-looking UUID (lower case) built from four random 32-bit words. */
export function uuidFrom(a: number, b: number, c: number, d: number): string {
  const H = BYTE_HEX;
  return (
    H[a >>> 24] +
    H[(a >>> 16) & 255] +
    H[(a >>> 8) & 255] +
    H[a & 255] +
    '-' +
    H[b >>> 24] +
    H[(b >>> 16) & 255] +
    '-4' +
    NIBBLE_HEX[(b >>> 8) & 15] +
    H[b & 255] +
    '-' +
    NIBBLE_HEX[8 | ((c >>> 28) & 3)] +
    NIBBLE_HEX[(c >>> 24) & 15] +
    H[(c >>> 16) & 255] +
    '-' +
    H[(c >>> 8) & 255] +
    H[c & 255] +
    H[d >>> 24] +
    H[(d >>> 16) & 255] +
    H[(d >>> 8) & 255] +
    H[d & 255]
  );
}

const NIBBLE_HEX = '0123456789abcdef';
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
