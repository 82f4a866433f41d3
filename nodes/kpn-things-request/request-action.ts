/**
 * kpn-things-request: one request to any KPN Things endpoint, through the shared client (token,
 * reseller context, retries by method, problem details). The method is the node's or msg.method, the
 * path the node's or msg.path (with `{{msg.x}}` parts), the query the node's then msg.query, the body
 * msg.payload. A GET whose answer is a page is walked like a list node (all, split, page); otherwise,
 * or with "follow pages" off, msg.payload is the answer's body.
 */
import { prepareRequest, runRequest } from '../../lib/resources/request';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { emitList, maxItemsOf, outputMode } from '../shared/list-output';
import { isBlank } from '../shared/typed-input';
import type { RequestDef } from './schema';

export type { RequestDef };

export async function sendRequest(ctx: ActionContext<RequestDef>): Promise<ActionOutcome> {
  const { msg, def } = ctx;
  const path = await ctx.property('path');
  const prepared = prepareRequest(
    {
      method: def.method === 'msg' ? msg.method : def.method,
      path: isBlank(path) ? msg.path : path,
      values: { msg },
      query: await ctx.property('query'),
      msgQuery: msg.query,
      body: msg.payload,
      accept: await ctx.property('accept'),
      contentType: await ctx.property('contentType'),
    },
    ctx.client.apiUrl,
  );
  const paginate = def.paginate !== false;
  const cursor = typeof msg.cursor === 'string' || typeof msg.cursor === 'number' ? msg.cursor : undefined;
  const outcome = await runRequest(ctx.client, prepared, {
    ...ctx.call,
    paginate,
    cursor: paginate ? cursor : undefined,
  });
  if (outcome.kind === 'pages') {
    return emitList(ctx, outcome.pages, outputMode(def), maxItemsOf(def));
  }
  const { response } = outcome;
  msg.payload = response.body;
  msg.statusCode = response.status;
  msg.headers = response.headers;
  return { status: ctx.t('status.response', { status: response.status, method: prepared.method }), msg };
}
