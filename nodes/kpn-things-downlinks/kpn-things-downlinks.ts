/** kpn-things-downlinks: list downlinks. The settings are in schema.ts, the work in downlinks-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { listDownlinks } from './downlinks-action';
import { downlinksSchema, type DownlinksDef } from './schema';

export = function (RED: NodeAPI): void {
  registerActionNode<DownlinksDef>(RED, downlinksSchema, listDownlinks);
};
