/** kpn-things-devices: list devices. The work is in devices-action.ts; this file registers the node. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { listDevices, type DevicesDef } from './devices-action';

export = function (RED: NodeAPI): void {
  registerActionNode<DevicesDef>(RED, 'kpn-things-devices', listDevices);
};
