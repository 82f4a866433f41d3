/** kpn-things-customer: get or list customers. The settings are in schema.ts, the work in customer-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { customerAction } from './customer-action';
import { customerSchema, type CustomerDef } from './schema';

export = function (RED: NodeAPI): void {
  registerActionNode<CustomerDef>(RED, customerSchema, customerAction, {
    customerContextFromMsg: false,
  });
};
