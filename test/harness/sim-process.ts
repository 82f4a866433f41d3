/**
 * The parent side of the simulator child (sim-child.ts): start it, talk to it over IPC, stop it.
 * Only the simulator's public options and operations cross the boundary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Fault, SimulatorCredentials } from '../../lib/simulator/types';
import type { DownlinkCount, SimChildOptions } from './sim-child';

export interface SimInfo {
  gripUrl: string;
  apiUrl: string;
  credentials: SimulatorCredentials;
  ownClientId: string;
  customers: { id: string; name: string }[];
  /** Up to 1 000 DevEUIs of the API key's own devices. */
  devEUIs: string[];
}

export interface SimStats {
  tokensIssued: number;
  requests: number;
  apiRequests: number;
  /** Requests GRIP received (answered or not). */
  tokenRequests: number;
}

export class SimProcess {
  readonly info: SimInfo;
  readonly #child: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(child: ChildProcess, info: SimInfo) {
    this.#child = child;
    this.info = info;
    child.on('message', (raw: { id?: number; result?: unknown; error?: string }) => {
      if (raw.id === undefined) return;
      const pending = this.#pending.get(raw.id);
      if (!pending) return;
      this.#pending.delete(raw.id);
      if (raw.error !== undefined) pending.reject(new Error(`simulator: ${raw.error}`));
      else pending.resolve(raw.result);
    });
    child.on('exit', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('simulator child exited'));
      this.#pending.clear();
    });
  }

  static start(options: SimChildOptions = {}): Promise<SimProcess> {
    const child = fork(path.join(__dirname, 'sim-child.js'), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`simulator child exited (${code})`));
      child.once('exit', onExit);
      child.once('error', reject);
      child.on('message', function ready(raw: { ready?: SimInfo }) {
        if (!raw.ready) return;
        child.off('message', ready);
        child.off('exit', onExit);
        resolve(new SimProcess(child, raw.ready));
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get gripUrl(): string {
    return this.info.gripUrl;
  }

  get apiUrl(): string {
    return this.info.apiUrl;
  }

  get credentials(): SimulatorCredentials {
    return this.info.credentials;
  }

  #call<T>(op: string, args?: unknown): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, op, args });
    });
  }

  inject(fault: Fault): Promise<void> {
    return this.#call('inject', fault);
  }
  clearFaults(): Promise<void> {
    return this.#call('clearFaults');
  }
  revokeTokens(): Promise<void> {
    return this.#call('revokeTokens');
  }
  setTokenLifetime(seconds: number): Promise<void> {
    return this.#call('setTokenLifetime', seconds);
  }
  clearRequests(): Promise<void> {
    return this.#call('clearRequests');
  }
  stats(): Promise<SimStats> {
    return this.#call('stats');
  }
  /** Downlink POSTs received and acted on, by externalReference. */
  downlinkCounts(): Promise<Record<string, DownlinkCount>> {
    return this.#call('downlinkCounts');
  }
  /** Tokens issued so far (only when started with exposeTokens). */
  issuedTokens(): Promise<string[]> {
    return this.#call('issuedTokens');
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.#call('close').catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
