/**
 * The mutable state both listeners share: settings, data, issued tokens, accepted downlinks.
 */
import type { DataSet } from './data';
import type { DownlinkStore } from './downlinks';
import type { ListCache } from './pagination';
import type { TokenStore } from './tokens';
import type { PlatformData } from './platform-data';
import type { BadTokenStatus, DeviceIdField, GripErrorKind, SimulatorCredentials, TokenShape } from './types';

export interface SimState {
  credentials: SimulatorCredentials;
  tokenShape: TokenShape;
  tokenLifetimeSeconds: number;
  keyWithoutThingsService: boolean;
  badTokenStatus: BadTokenStatus;
  /** Largest limit / pageSize accepted (Infinity: none). */
  maxLimit: number;
  gripErrorStatus: Record<GripErrorKind, number>;
  gripAnswersWithoutToken: boolean;
  deviceIdField: DeviceIdField;
  data: DataSet;
  /** Projects, device groups and LoRa bindings, derived from `data`. */
  platform: PlatformData;
  tokens: TokenStore;
  downlinks: DownlinkStore;
  listCache: ListCache;
  /** '{apiKey} {clientId}' pairs that did the legacy context switch. */
  contextSwitches: Set<string>;
  /** Filled in once both listeners are bound. */
  gripUrl: string;
  apiUrl: string;
}
