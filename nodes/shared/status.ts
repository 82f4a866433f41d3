/**
 * The node's status badge: blue ring while requesting, green dot with a short result, red ring with a
 * short error. Fixed states are message-catalogue keys (the editor translates them per user). A result
 * clears after a while; an error stays until the next message succeeds or a longer while passes.
 */
import type { Node } from 'node-red';

export const STATUS_KEYS = {
  requesting: 'kpn-things.status.requesting',
  noConfig: 'kpn-things.status.no-config',
  misconfigured: 'kpn-things.status.misconfigured',
} as const;

export class NodeStatus {
  #timer: NodeJS.Timeout | undefined;
  #active = 0;

  constructor(
    private readonly node: Node,
    private readonly successClearMs = 10_000,
    private readonly errorClearMs = 60_000,
  ) {}

  requesting(): void {
    this.#active++;
    this.#set({ fill: 'blue', shape: 'ring', text: STATUS_KEYS.requesting });
  }

  progress(text: string): void {
    this.#set({ fill: 'blue', shape: 'ring', text });
  }

  success(text: string): void {
    this.#finish();
    this.#set({ fill: 'green', shape: 'dot', text }, this.#active === 0 ? this.successClearMs : undefined);
  }

  error(text: string): void {
    this.#finish();
    this.#set({ fill: 'red', shape: 'ring', text }, this.errorClearMs);
  }

  /** A lasting problem that no message will clear (e.g. no config node). */
  fault(text: string): void {
    this.#set({ fill: 'red', shape: 'ring', text });
  }

  clear(): void {
    this.#cancel();
    this.node.status({});
  }

  close(): void {
    this.#cancel();
  }

  #finish(): void {
    this.#active = Math.max(0, this.#active - 1);
  }

  #set(
    status: { fill: 'blue' | 'green' | 'red'; shape: 'ring' | 'dot'; text: string },
    clearAfterMs?: number,
  ): void {
    this.#cancel();
    this.node.status(status);
    if (clearAfterMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.node.status({});
      }, clearAfterMs);
      this.#timer.unref?.();
    }
  }

  #cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
