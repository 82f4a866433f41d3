/**
 * The uplink node's status, throttled: a push only marks the counts as changed; a timer shows them
 * at most once per interval (green dot: time of the last uplink, accepted / rejected / repeats), so a
 * busy destination costs no status event per message.
 */
import type { UplinkReceiverStats } from '../../lib/uplink/receiver';

export type StatusSetter = (status: {
  fill?: 'green' | 'yellow' | 'red' | 'grey';
  shape?: 'dot' | 'ring';
  text?: string;
}) => void;

export type CountsText = (stats: Readonly<UplinkReceiverStats>, time: string) => string;

/** 'HH:MM:SS' (UTC) of an epoch ms. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export class ThrottledStatus {
  #timer: NodeJS.Timeout | undefined;
  #shown = '';
  #closed = false;

  constructor(
    private readonly set: StatusSetter,
    private readonly stats: () => Readonly<UplinkReceiverStats>,
    private readonly render: CountsText,
    private readonly intervalMs = 1000,
  ) {}

  /** Something changed: show it within the interval (one timer at most). */
  changed(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.show();
    }, this.intervalMs);
    this.#timer.unref?.();
  }

  /** Shows the counts now (when they differ from what is shown). */
  show(): void {
    if (this.#closed) return;
    const stats = this.stats();
    const time = stats.lastAcceptedAt > 0 ? clockTime(stats.lastAcceptedAt) : '-';
    const text = this.render(stats, time);
    if (text === this.#shown) return;
    this.#shown = text;
    const fill =
      stats.previousSecretUsed > 0 ? 'yellow' : stats.accepted > 0 || stats.rejected === 0 ? 'green' : 'red';
    this.set({ fill, shape: 'dot', text });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** At most `max` reports per `windowMs`; the rest are counted and summed up in the next window. */
export class ReportLimiter {
  #windowStart = 0;
  #count = 0;
  #suppressed = 0;

  constructor(
    private readonly max = 10,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether to report now, and how many reports were left out before this one. */
  take(): { report: boolean; suppressed: number } {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.max) {
      this.#suppressed++;
      return { report: false, suppressed: 0 };
    }
    this.#count++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return { report: true, suppressed };
  }
}
