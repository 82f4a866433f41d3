/** kpn-things-customer: its settings, once (see nodes/shared/schema.ts). */
import { normalizeUuid } from '../../lib/validate';
import {
  ACTION_PROPERTIES,
  choice,
  defineSchema,
  LIST_PROPERTIES,
  typed,
  type SettingsOf,
  type TypedInputType,
} from '../shared/schema';

export const CUSTOMER_TYPES: readonly TypedInputType[] = ['msg', 'str', 'flow', 'global', 'env'];

export const customerSchema = defineSchema({
  type: 'kpn-things-customer',
  version: 1,
  properties: {
    ...ACTION_PROPERTIES,
    mode: choice(['get', 'list'] as const, { since: 1 }),
    customerId: typed({
      value: 'customerId',
      types: CUSTOMER_TYPES,
      defaultType: 'msg',
      literal: 'str',
      since: 1,
      check: (text, field) => normalizeUuid(text, field),
      applies: (settings) => settings.mode !== 'list',
      message: { default: 'kpn-things.errors.uuid' },
    }),
    output: LIST_PROPERTIES.output,
    maxItems: {
      ...LIST_PROPERTIES.maxItems,
      applies: (settings) => settings.mode === 'list' && settings.output !== 'page',
    },
  },
});

export type CustomerDef = SettingsOf<typeof customerSchema.properties> & {
  id: string;
  type: string;
  z: string;
};
