/** kpn-things-downlink: send a LoRa downlink. The work is in downlink-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { sendDownlinkAction, type DownlinkDef } from './downlink-action';

export = function (RED: NodeAPI): void {
  registerActionNode<DownlinkDef>(RED, 'kpn-things-downlink', sendDownlinkAction);
};
