/** Node-RED shapes used by every node of the package (types only). */
import type { Node, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ThingsClient } from '../../lib/client';

/** A message as it flows: any properties besides the standard ones. */
export type Msg = NodeMessageInFlow & Record<string, unknown>;

/** The runtime face of kpn-things-config that action nodes use. */
export interface ThingsConfigNode extends Node {
  /** The shared client of this config node (created on first use). Throws when settings are missing. */
  getClient(): ThingsClient;
}

/** Properties every action node has. */
export interface ActionNodeDef extends NodeDef {
  config: string;
  /** Send errors to a second output instead of to Catch nodes. */
  errorOutput?: boolean;
}
