/**
 * An AbortController that follows parent signals, with listeners removed on dispose(). Used instead of
 * AbortSignal.any(), whose composite signals stay registered on a long-lived parent (the client's
 * close signal) until garbage collection: with many calls in flight that piles up listeners.
 */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  /** Detaches from the parents; call once the work is done. */
  dispose(): void;
}

export function linkAbort(...parents: (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const attached: AbortSignal[] = [];
  const onAbort = function (this: AbortSignal): void {
    controller.abort(this.reason);
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    parent.addEventListener('abort', onAbort, { once: true });
    attached.push(parent);
  }
  return {
    signal: controller.signal,
    abort: (reason?: unknown) => controller.abort(reason),
    dispose: () => {
      for (const parent of attached) parent.removeEventListener('abort', onAbort);
      attached.length = 0;
    },
  };
}
