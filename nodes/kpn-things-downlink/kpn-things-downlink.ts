/** kpn-things-downlink: send a LoRa downlink. The settings are in schema.ts, the work in downlink-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { sendDownlinkAction } from './downlink-action';
import { downlinkSchema, type DownlinkDef } from './schema';

export = function (RED: NodeAPI): void {
  registerActionNode<DownlinkDef>(RED, downlinkSchema, sendDownlinkAction);
};
