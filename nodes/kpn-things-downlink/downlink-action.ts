/**
 * kpn-things-downlink: sends a LoRa downlink. DevEUI, payload and port come from the node's TypedInputs
 * (by default msg.devEUI, msg.payload and msg.port); msg.externalReference defaults to the msg id so a
 * reply can be correlated. A SenML record array in the payload is validated and sent as given.
 */
import { prepareDownlink, sendDownlink } from '../../lib/resources/downlinks';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { isBlank } from '../shared/typed-input';
import type { DownlinkDef } from './schema';

export type { DownlinkDef };

export async function sendDownlinkAction(ctx: ActionContext<DownlinkDef>): Promise<ActionOutcome> {
  const { msg } = ctx;
  const devEUI = await ctx.property('devEUI');
  const payload = await ctx.property('payload');
  const port = await ctx.property('port');
  const externalReference = isBlank(msg.externalReference) ? msg._msgid : msg.externalReference;
  const downlink = prepareDownlink({
    devEUI: isBlank(devEUI) ? msg.devEUI : devEUI,
    payload: payload === undefined ? msg.payload : payload,
    port: isBlank(port) ? msg.port : port,
    externalReference,
  });
  for (const warning of downlink.warnings) ctx.warn(warning);
  const res = await sendDownlink(ctx.client, downlink, ctx.call);
  msg.payload = res.body;
  msg.statusCode = res.status;
  msg.downlink = {
    devEUI: downlink.devEUI,
    port: downlink.port,
    payloadHex: downlink.payloadHex,
    externalReference: downlink.externalReference,
    records: downlink.records,
  };
  return { status: ctx.t('status.queued', { port: downlink.port }), msg };
}
