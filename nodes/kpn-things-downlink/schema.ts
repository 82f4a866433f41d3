/** kpn-things-downlink: its settings, once (see nodes/shared/schema.ts). */
import { normalizeDevEUI, normalizePayloadHex, normalizePort, PAYLOAD_LIMITS } from '../../lib/validate';
import {
  ACTION_PROPERTIES,
  defineSchema,
  typed,
  type SettingsOf,
  type TypedInputType,
} from '../shared/schema';

export const DEVEUI_TYPES: readonly TypedInputType[] = ['msg', 'str', 'flow', 'global', 'env'];
export const PAYLOAD_TYPES: readonly TypedInputType[] = [
  'msg',
  'str',
  'bin',
  'json',
  'flow',
  'global',
  'env',
];
export const PORT_TYPES: readonly TypedInputType[] = ['msg', 'num', 'flow', 'global', 'env'];

/** The largest LoRaWAN application payload (bytes). */
export const MAX_PAYLOAD_BYTES = PAYLOAD_LIMITS.absolute;

export const downlinkSchema = defineSchema({
  type: 'kpn-things-downlink',
  version: 1,
  properties: {
    ...ACTION_PROPERTIES,
    devEUI: typed({
      value: 'devEUI',
      types: DEVEUI_TYPES,
      defaultType: 'msg',
      literal: 'str',
      since: 1,
      check: (text, field) => normalizeDevEUI(text, field),
      message: { default: 'kpn-things-downlink.errors.devEUI' },
    }),
    payload: typed({
      value: 'payload',
      types: PAYLOAD_TYPES,
      defaultType: 'msg',
      literal: 'str',
      since: 1,
      check: (text, field) => normalizePayloadHex(text, field),
      message: {
        default: 'kpn-things-downlink.errors.payload',
        payload_too_large: 'kpn-things-downlink.errors.payload-size',
      },
      messageParams: { max: MAX_PAYLOAD_BYTES },
    }),
    port: typed({
      value: 'port',
      types: PORT_TYPES,
      defaultType: 'msg',
      literal: 'num',
      since: 1,
      check: (text, field) => normalizePort(text, field),
      message: { default: 'kpn-things-downlink.errors.port' },
    }),
  },
});

export type DownlinkDef = SettingsOf<typeof downlinkSchema.properties> & {
  id: string;
  type: string;
  z: string;
};
