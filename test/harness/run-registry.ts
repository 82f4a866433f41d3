/**
 * The run bookkeeping shared by the harness and its helper node types (helper-nodes.ts).
 * The harness's own node types, loaded into the embedded runtime from <userDir>/nodes:
 * - harness-driver: when the harness starts a run, injects N messages keeping C of them unanswered
 *   at a time (each outcome reaching a sink lets the next one go);
 * - harness-sink: counts outcomes by kind ('ok' for output 1, 'error' for output 2, 'catch' behind a
 *   Catch node, 'status' behind a Status node) and resolves the run when every input is accounted;
 * - harness-naive-downlink: the reference a fast node can reach, about 40 lines awaiting undici in
 *   its input handler with a cached token (the benchmark compares the package with it).
 * State is shared with the harness through this module (the runtime requires the same file).
 */
import type { Node, NodeMessage } from 'node-red';

export type OutcomeKind = 'ok' | 'error' | 'catch';

export interface RunOptions {
  /** Messages to inject. */
  n: number;
  /** Messages unanswered at any time. */
  concurrency: number;
  /** Builds message i (0-based); the harness adds its own bookkeeping properties. */
  message(i: number): Record<string, unknown>;
  /** Outcomes that complete the run (default n: one per message). */
  expected?: number;
  /** Keep every outcome message (for searching them); off for benchmarks. */
  keepMessages?: boolean;
  /** Reject when not complete by then (default 120 s). */
  timeoutMs?: number;
}

export interface RunResult {
  counts: Record<OutcomeKind, number>;
  /** Inputs that had more than one outcome (should be none outside split mode). */
  duplicates: number;
  /** Inputs with no outcome when the run ended. */
  missing: number;
  ms: number;
  messages: Record<string, unknown>[];
}

interface Run {
  id: number;
  options: RunOptions;
  driver: Node;
  sent: number;
  outcomes: number;
  perInput: Uint16Array;
  counts: Record<OutcomeKind, number>;
  messages: Record<string, unknown>[];
  start: number;
  stopped: boolean;
  /** The driver node closed (a redeploy): nothing more is sent, the run can still be stopped. */
  driverClosed: boolean;
  finish(error?: Error): void;
}

const RUN = '_harnessRun';
const SEQ = '_harnessSeq';

export const drivers = new Map<string, Node>();
export const runs = new Map<number, Run>();
let nextRun = 1;

/** Status texts shown by any node (via Status nodes wired to a sink of kind 'status'). */
export const statusTexts: string[] = [];

/** Starts a run on the deployed driver node `driverId`; resolves when every outcome arrived. */
export function startRun(driverId: string, options: RunOptions): { done: Promise<RunResult>; stop(): void } {
  const driver = drivers.get(driverId);
  if (!driver) throw new Error(`no deployed harness-driver '${driverId}'`);
  let stop = (): void => undefined;
  const done = new Promise<RunResult>((resolve, reject) => {
    const run: Run = {
      id: nextRun++,
      options,
      driver,
      sent: 0,
      outcomes: 0,
      perInput: new Uint16Array(options.n),
      counts: { ok: 0, error: 0, catch: 0 },
      messages: [],
      start: performance.now(),
      stopped: false,
      driverClosed: false,
      finish: (error) => {
        if (run.stopped) return;
        run.stopped = true;
        clearTimeout(timer);
        runs.delete(run.id);
        if (error) reject(error);
        else resolve(resultOf(run));
      },
    };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      const r = resultOf(run);
      run.finish(
        new Error(
          `harness run timed out after ${timeoutMs} ms: sent ${run.sent}/${options.n}, outcomes ${run.outcomes}, ` +
            `missing ${r.missing}, counts ${JSON.stringify(run.counts)}`,
        ),
      );
    }, timeoutMs);
    runs.set(run.id, run);
    stop = () => run.finish();
    const first = Math.min(options.concurrency, options.n);
    for (let i = 0; i < first; i++) sendNext(run);
    if (options.n === 0) run.finish();
  });
  return { done, stop: () => stop() };
}

function resultOf(run: Run): RunResult {
  let duplicates = 0;
  let missing = 0;
  for (let i = 0; i < run.options.n; i++) {
    if (run.perInput[i] === 0) missing++;
    else if (run.perInput[i] > 1) duplicates++;
  }
  return {
    counts: { ...run.counts },
    duplicates: run.options.expected === undefined ? duplicates : 0,
    missing,
    ms: performance.now() - run.start,
    messages: run.messages,
  };
}

function sendNext(run: Run): void {
  if (run.stopped || run.driverClosed || run.sent >= run.options.n) return;
  const seq = run.sent++;
  const msg = run.options.message(seq);
  msg[RUN] = run.id;
  msg[SEQ] = seq;
  run.driver.send(msg as NodeMessage);
}

export function outcome(kind: OutcomeKind, msg: Record<string, unknown>): void {
  const run = runs.get(msg[RUN] as number);
  if (!run) return;
  const seq = msg[SEQ] as number;
  run.counts[kind]++;
  run.outcomes++;
  if (run.options.keepMessages) run.messages.push(msg);
  const first = run.perInput[seq] === 0;
  if (run.perInput[seq] < 0xffff) run.perInput[seq]++;
  if (first) sendNext(run);
  if (run.outcomes >= (run.options.expected ?? run.options.n)) run.finish();
}
