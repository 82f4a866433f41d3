/**
 * kpn-things-downlink: sends a LoRa downlink. DevEUI, payload and port come from the node's TypedInputs
 * (by default msg.devEUI, msg.payload and msg.port; without a DevEUI, an uplink msg's msg.device of type
 * DEVEUI supplies it); msg.externalReference defaults to the msg id so a
 * reply can be correlated. A SenML record array in the payload is validated and sent as given.
 */
import { prepareDownlink, sendDownlink } from '../../lib/resources/downlinks';
import type { ActionContext, ActionOutcome } from '../shared/action-node';
import { isBlank } from '../shared/typed-input';
import type { DownlinkDef } from './schema';

export type { DownlinkDef };

/** The DevEUI of an uplink msg (kpn-things-uplink's msg.device), so uplink → downlink needs no wiring. */
function uplinkDevEUI(device: unknown): unknown {
  const d = device as { type?: unknown; id?: unknown } | null | undefined;
  return d && typeof d === 'object' && d.type === 'DEVEUI' ? d.id : undefined;
}

export async function sendDownlinkAction(ctx: ActionContext<DownlinkDef>): Promise<ActionOutcome> {
  const { msg } = ctx;
  const devEUI = await ctx.property('devEUI');
  const payload = await ctx.property('payload');
  const port = await ctx.property('port');
  const externalReference = isBlank(msg.externalReference) ? msg._msgid : msg.externalReference;
  const downlink = prepareDownlink({
    devEUI: isBlank(devEUI) ? (isBlank(msg.devEUI) ? uplinkDevEUI(msg.device) : msg.devEUI) : devEUI,
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
