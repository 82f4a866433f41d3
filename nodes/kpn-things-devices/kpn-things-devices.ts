/** kpn-things-devices: list devices. The settings are in schema.ts, the work in devices-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { listDevices } from './devices-action';
import { devicesSchema, type DevicesDef } from './schema';

export = function (RED: NodeAPI): void {
  registerActionNode<DevicesDef>(RED, devicesSchema, listDevices);
};
