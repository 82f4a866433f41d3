/** kpn-things-customer: get or list customers. The work is in customer-action.ts. */
import type { NodeAPI } from 'node-red';
import { registerActionNode } from '../shared/action-node';
import { customerAction, type CustomerDef } from './customer-action';

export = function (RED: NodeAPI): void {
  registerActionNode<CustomerDef>(RED, 'kpn-things-customer', customerAction, {
    customerContextFromMsg: false,
  });
};
