/**
 * The node's status badge: blue ring while requesting, green dot with a short result, red ring with a
 * short error. Fixed states are message-catalogue keys (the editor translates them per user). A result
 * clears after a while; an error stays until the next message succeeds or a longer while passes.
 *
 * Updates are throttled: a few go out at once (a single message shows blue, then green, without
 * delay), beyond that at most one per `intervalMs`, showing the state at that moment: the last error,
 * or the count of calls in flight ("12 in flight, 1 234 done"), or the last result. A text may be a
 * function, called only when it is shown, so a busy node translates once per update, not per message.
 */
import type { Node } from 'node-red';

export const STATUS_KEYS = {
  requesting: 'kpn-things.status.requesting',
  inflight: 'kpn-things.status.inflight',
  noConfig: 'kpn-things.status.no-config',
  misconfigured: 'kpn-things.status.misconfigured',
} as const;

/** A status text, or a function that makes it (called only when the status is shown). */
export type StatusText = string | (() => string);

/** Translates a catalogue key with parameters (Node-RED's RED._). */
export type StatusTranslate = (key: string, params: Record<string, string | number>) => string;

interface Badge {
  fill: 'blue' | 'green' | 'red';
  shape: 'ring' | 'dot';
  text: string;
}

/** Updates sent at once in a burst; beyond that, one per interval. */
const BURST = 4;

export class NodeStatus {
  #clearTimer: NodeJS.Timeout | undefined;
  #throttleTimer: NodeJS.Timeout | undefined;
  #active = 0;
  #done = 0;
  /** What the badge should show next: set by each event, shown now or at the end of the interval. */
  #kind: 'requesting' | 'progress' | 'success' | 'error' | 'none' = 'none';
  #text: StatusText = '';
  #windowStart = -Infinity;
  #sentInWindow = 0;
  #closed = false;

  constructor(
    private readonly node: Node,
    private readonly successClearMs = 10_000,
    private readonly errorClearMs = 60_000,
    private readonly translate: StatusTranslate = (key) => key,
    private readonly intervalMs = 1_000,
  ) {}

  /** Calls in flight now. */
  get active(): number {
    return this.#active;
  }

  requesting(): void {
    this.#active++;
    this.#kind = 'requesting';
    this.#update();
  }

  progress(text: StatusText): void {
    this.#kind = 'progress';
    this.#text = text;
    this.#update();
  }

  success(text: StatusText): void {
    this.#finish();
    this.#done++;
    this.#kind = 'success';
    this.#text = text;
    this.#update();
  }

  error(text: StatusText): void {
    this.#finish();
    this.#kind = 'error';
    this.#text = text;
    this.#update();
  }

  /** A call ended without an outcome to show (e.g. cancelled). */
  ended(): void {
    this.#finish();
  }

  /** A lasting problem that no message will clear (e.g. no config node). Shown at once. */
  fault(text: string): void {
    this.#cancelThrottle();
    this.#kind = 'none';
    this.#show({ fill: 'red', shape: 'ring', text });
  }

  clear(): void {
    this.#cancelThrottle();
    this.#cancelClear();
    this.#kind = 'none';
    this.node.status({});
  }

  /** Stops every timer; nothing is shown afterwards. */
  close(): void {
    this.#closed = true;
    this.#cancelThrottle();
    this.#cancelClear();
  }

  #finish(): void {
    if (this.#active > 0) this.#active--;
  }

  #update(): void {
    if (this.#closed || this.#throttleTimer) return;
    const now = Date.now();
    if (now - this.#windowStart >= this.intervalMs) {
      this.#windowStart = now;
      this.#sentInWindow = 0;
    }
    if (this.#sentInWindow < BURST) {
      this.#sentInWindow++;
      this.#render();
      return;
    }
    this.#throttleTimer = setTimeout(
      () => {
        this.#throttleTimer = undefined;
        this.#windowStart = Date.now();
        this.#sentInWindow = 1;
        this.#render();
      },
      Math.max(1, this.intervalMs - (now - this.#windowStart)),
    );
    this.#throttleTimer.unref?.();
  }

  /** Shows the current state. */
  #render(): void {
    if (this.#closed) return;
    const kind = this.#kind;
    if (kind === 'error')
      this.#show({ fill: 'red', shape: 'ring', text: textOf(this.#text) }, this.errorClearMs);
    else if (kind === 'progress') this.#show({ fill: 'blue', shape: 'ring', text: textOf(this.#text) });
    else if (this.#active > 0 && (kind === 'requesting' || kind === 'success')) {
      const text =
        this.#active === 1 && kind === 'requesting'
          ? STATUS_KEYS.requesting
          : this.translate(STATUS_KEYS.inflight, { count: this.#active, done: groupDigits(this.#done) });
      this.#show({ fill: 'blue', shape: 'ring', text });
    } else if (kind === 'success') {
      this.#show({ fill: 'green', shape: 'dot', text: textOf(this.#text) }, this.successClearMs);
    }
  }

  #show(badge: Badge, clearAfterMs?: number): void {
    this.#cancelClear();
    this.node.status(badge);
    if (clearAfterMs !== undefined) {
      this.#clearTimer = setTimeout(() => {
        this.#clearTimer = undefined;
        this.node.status({});
      }, clearAfterMs);
      this.#clearTimer.unref?.();
    }
  }

  #cancelClear(): void {
    if (this.#clearTimer) clearTimeout(this.#clearTimer);
    this.#clearTimer = undefined;
  }

  #cancelThrottle(): void {
    if (this.#throttleTimer) clearTimeout(this.#throttleTimer);
    this.#throttleTimer = undefined;
  }
}

function textOf(text: StatusText): string {
  return typeof text === 'function' ? text() : text;
}

/** 1234567 -> "1 234 567" (a narrow no-break space between groups of three). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
