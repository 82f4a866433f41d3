/**
 * Injected faults: latency, error statuses, connection resets (before or after the server acted) and
 * malformed JSON, matched by route key (or '*'). Each fault affects the next `times` matching
 * requests (default: all), each with probability `rate` (default 1).
 */
import { Random } from './random';
import type { Fault } from './types';

/** What the listener must do with one request, after the latency. */
export interface FaultOutcome {
  latencyMs: number;
  action?:
    | { kind: 'reset' }
    | { kind: 'resetAfterActing' }
    | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
    | { kind: 'malformedJson' };
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export const MALFORMED_JSON_BODY = '{"items": [';

export class FaultSet {
  private active: ActiveFault[] = [];
  private readonly random: Random;

  constructor(seed: number) {
    this.random = new Random(seed ^ 0x7fa17);
  }

  inject(fault: Fault): void {
    validateFault(fault);
    this.active.push({ fault: { ...fault }, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.active = [];
  }

  /** Consumes the faults that match this request and combines their effects. */
  apply(route: string): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0 };
    for (const entry of this.active) {
      const { fault } = entry;
      if (fault.route !== '*' && fault.route !== route) continue;
      if (entry.remaining <= 0) continue;
      entry.remaining--;
      const rate = fault.rate ?? 1;
      if (rate < 1 && this.random.next() >= rate) continue;
      outcome.latencyMs += fault.latencyMs ?? 0;
      if (outcome.action) continue;
      if (fault.reset) outcome.action = { kind: 'reset' };
      else if (fault.resetAfterActing) outcome.action = { kind: 'resetAfterActing' };
      else if (fault.status !== undefined) {
        outcome.action = {
          kind: 'status',
          status: fault.status,
          retryAfter: fault.retryAfter,
          body: fault.body,
          contentType: fault.contentType,
        };
      } else if (fault.malformedJson) outcome.action = { kind: 'malformedJson' };
    }
    this.active = this.active.filter((entry) => entry.remaining > 0);
    return outcome;
  }
}

function validateFault(fault: Fault): void {
  if (typeof fault.route !== 'string' || fault.route === '') throw new TypeError('fault.route is required');
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 0)) {
    throw new TypeError('fault.times must be a non-negative integer');
  }
  if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) {
    throw new TypeError('fault.rate must be between 0 and 1');
  }
  if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0 && Number.isFinite(fault.latencyMs))) {
    throw new TypeError('fault.latencyMs must be a non-negative number');
  }
  if (
    fault.status !== undefined &&
    !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)
  ) {
    throw new TypeError('fault.status must be an HTTP status between 200 and 599');
  }
}
