/**
 * The mutable state both listeners share: settings, data, issued tokens, accepted downlinks.
 */
import type { DataSet } from './data';
import type { DownlinkStore } from './downlinks';
import type { ListCache } from './pagination';
import type { TokenStore } from './tokens';
import type { SimulatorCredentials, TokenShape } from './types';

export interface SimState {
  credentials: SimulatorCredentials;
  tokenShape: TokenShape;
  tokenLifetimeSeconds: number;
  keyWithoutThingsService: boolean;
  data: DataSet;
  tokens: TokenStore;
  downlinks: DownlinkStore;
  listCache: ListCache;
  /** '{apiKey} {clientId}' pairs that did the legacy context switch. */
  contextSwitches: Set<string>;
  /** Filled in once both listeners are bound. */
  gripUrl: string;
  apiUrl: string;
}
