/**
 * kpn-things-config: its settings and credentials, once (see nodes/shared/schema.ts). The defaults are
 * lib/'s own (lib/endpoints.ts), so the dialog, its placeholders and the client cannot drift apart.
 */
import {
  DEFAULT_API_URL,
  DEFAULT_APPLICATION_ID,
  DEFAULT_GRIP_URL,
  DEFAULT_TOKEN_PATH,
} from '../../lib/endpoints';
import { normalizeUuid, ValidationError } from '../../lib/validate';
import { choice, defineSchema, setting, type SettingCheck, type SettingsOf } from '../shared/schema';

/** The request timeout when none is set (seconds). */
export const DEFAULT_TIMEOUT_S = 30;
/** A whole value that is one environment variable, `${NAME}` (Node-RED substitutes it). */
export const ENV_VAR = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
/** An http(s) URL with a host. */
export const HTTP_URL = /^https?:\/\/[^\s/?#]+\S*$/i;

function refuse(field: string, text: string, hint: string): never {
  throw new ValidationError({ field, code: 'missing_setting', value: text, problem: 'is not valid', hint });
}

/** `check`, unless the value is a whole `${NAME}` (resolved when the node starts). */
function orEnv(check: SettingCheck): SettingCheck {
  return (text, field, settings) => {
    if (!ENV_VAR.test(text)) check(text, field, settings);
  };
}

const url = orEnv((text, field) => {
  if (!HTTP_URL.test(text)) refuse(field, text, 'give an http(s) URL such as ' + DEFAULT_API_URL + '.');
});

export const configSchema = defineSchema({
  type: 'kpn-things-config',
  version: 1,
  properties: {
    name: setting('', { since: 1 }),
    tenantId: setting('', { since: 1, required: true }),
    apiUrl: setting(DEFAULT_API_URL, {
      since: 1,
      check: url,
      message: { default: 'kpn-things-config.errors.url' },
    }),
    gripUrl: setting(DEFAULT_GRIP_URL, {
      since: 1,
      check: url,
      message: { default: 'kpn-things-config.errors.url' },
    }),
    tokenPath: setting(DEFAULT_TOKEN_PATH, {
      since: 1,
      check: orEnv((text, field) => {
        if (!text.startsWith('/') && !HTTP_URL.test(text))
          refuse(field, text, `give a path such as ${DEFAULT_TOKEN_PATH} or a whole token URL.`);
      }),
      message: { default: 'kpn-things-config.errors.tokenPath' },
    }),
    // Not a UUID (KPN's own id has a 'g'): never validate it as one.
    applicationId: setting(DEFAULT_APPLICATION_ID, { since: 1 }),
    customerId: setting('', {
      since: 1,
      check: orEnv((text, field) => normalizeUuid(text, field)),
      message: { default: 'kpn-things-config.errors.customerId' },
    }),
    contextMode: choice(['header', 'legacy'] as const, { since: 1 }),
    timeout: setting(DEFAULT_TIMEOUT_S, {
      since: 1,
      required: true,
      check: orEnv((text, field) => {
        const n = Number(text);
        if (!Number.isFinite(n) || n <= 0)
          refuse(field, text, `give a number of seconds, e.g. ${DEFAULT_TIMEOUT_S}.`);
      }),
      message: { default: 'kpn-things-config.errors.timeout' },
    }),
    proxy: choice(['env', 'none', 'url'] as const, { since: 1 }),
    proxyUrl: setting('', {
      since: 1,
      applies: (settings) => settings.proxy === 'url',
      checkBlank: true,
      check: url,
      message: { default: 'kpn-things-config.errors.proxyUrl' },
    }),
    // Extra CA (PEM file on the Node-RED host) for networks that inspect TLS; pasted PEM is the `ca` credential.
    caFile: setting('', { since: 1 }),
  },
  credentials: {
    clientId: { type: 'text' },
    clientSecret: { type: 'password' },
    /** Pasted PEM of an extra CA (public, so a text credential: the dialog shows it again). */
    ca: { type: 'text' },
  },
});

export type ConfigSettings = SettingsOf<typeof configSchema.properties>;
