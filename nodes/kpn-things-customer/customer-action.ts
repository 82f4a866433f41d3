/**
 * kpn-things-customer: gets one customer (GET /clients/{id}) or lists them all. Here msg.customerId
 * names the customer to fetch, not a reseller context: the context comes from the config node only.
 */
import { customerPages, getCustomer } from '../../lib/resources/customers';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { emitList, maxItemsOf, outputMode, queryFromMsg } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';
import type { CustomerDef } from './schema';

export type { CustomerDef };

export async function customerAction(ctx: ActionContext<CustomerDef>): Promise<ActionOutcome> {
  const { msg } = ctx;
  if (ctx.def.mode === 'list') {
    const query = queryFromMsg(msg.query);
    const cursor = typeof msg.cursor === 'string' && msg.cursor !== '' ? msg.cursor : undefined;
    const mode = outputMode(ctx.def);
    const pages = customerPages(ctx.client, query, {
      ...ctx.call,
      cursor: mode === 'page' ? cursor : undefined,
    });
    return emitList(ctx, pages, mode, maxItemsOf(ctx.def));
  }
  const fromNode = await ctx.property('customerId');
  const id = isBlank(fromNode) ? msg.customerId : fromNode;
  const { customer, status } = await getCustomer(ctx.client, id, ctx.call);
  msg.payload = customer;
  msg.statusCode = status;
  return {
    status: typeof customer?.name === 'string' ? customer.name.slice(0, 30) : ctx.t('status.found'),
    msg,
  };
}
