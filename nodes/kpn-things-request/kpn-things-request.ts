/** kpn-things-request: any KPN Things API request. The settings are in schema.ts, the work in request-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { sendRequest } from './request-action';
import { requestSchema, type RequestDef } from './schema';

export = function (RED: NodeAPI): void {
  registerActionNode<RequestDef>(RED, requestSchema, sendRequest);
};
