/**
 * The node's saved settings and credentials as lib/uplink receiver options, plus what the user should
 * be told at deploy time. Pure: no Node-RED, so it is unit-tested on its own.
 */
import type { DestinationAuth, UplinkReceiverOptions } from '../../lib/uplink/receiver';
import { checkSharedSecret } from '../../lib/validate';
import { DEFAULT_AUTH_HEADER, uplinkPath, type UplinkCredentials, type UplinkSettings } from './schema';

export type ReceiverSettings = Omit<UplinkReceiverOptions, 'onMessage' | 'onReject' | 'onStoreError'>;

export interface PreparedReceiver {
  /** The path served below httpNodeRoot, e.g. '/kpn-things/uplink'. */
  path: string;
  /** Undefined when the node cannot serve (then `error` says why). */
  options?: ReceiverSettings;
  /** A setting that stops the node: names the field and the fix. */
  error?: string;
  /** Advice that does not stop the node (never contains a secret). */
  warnings: string[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function destinationAuth(settings: UplinkSettings, creds: UplinkCredentials): DestinationAuth | string {
  const secret = text(creds.authSecret);
  switch (settings.auth) {
    case 'basic':
      if (!text(creds.authUser) && !secret)
        return 'authUser: give the username and password of the Basic auth set in the KPN Things portal.';
      return { type: 'basic', username: text(creds.authUser), password: secret };
    case 'bearer':
      if (!secret) return 'authSecret: give the Bearer token set in the KPN Things portal.';
      return { type: 'bearer', token: secret };
    case 'header':
      if (!secret) return 'authSecret: give the value of the API key header set in the KPN Things portal.';
      return { type: 'header', name: text(settings.authHeader).trim() || DEFAULT_AUTH_HEADER, value: secret };
    default:
      return { type: 'none' };
  }
}

/** The receiver options of one node (settings already migrated and checked). */
export function prepareReceiver(settings: UplinkSettings, creds: UplinkCredentials = {}): PreparedReceiver {
  const path = uplinkPath(text(settings.url));
  const warnings: string[] = [];
  const sharedSecret = text(creds.sharedSecret);
  if (!sharedSecret) {
    return {
      path,
      warnings,
      error:
        'sharedSecret is missing: open the node and set the shared secret of the KPN Things HTTPS destination ' +
        '(or ${ENV_VAR} naming an environment variable that holds it).',
    };
  }
  const current = checkSharedSecret(sharedSecret);
  for (const w of [...current.errors, ...current.warnings]) warnings.push(`sharedSecret: ${w}`);
  const previous = text(creds.previousSecret);
  if (previous) {
    const check = checkSharedSecret(previous);
    for (const w of [...check.errors, ...check.warnings])
      warnings.push(`previousSecret: ${w.replace('the shared secret', 'the previous secret')}`);
  }
  const auth = destinationAuth(settings, creds);
  if (typeof auth === 'string') return { path, warnings, error: auth };
  const plugUUID = text(settings.plugUUID).trim();
  return {
    path,
    warnings,
    options: {
      sharedSecret,
      ...(previous ? { previousSecret: previous } : {}),
      methods: settings.allowGet === true ? ['POST', 'GET'] : ['POST'],
      maxBodyBytes: Math.round(Number(settings.maxBody) * 1024),
      expect: settings.body === 'any' ? 'any' : 'senml',
      split: settings.split === 'device' ? 'device' : 'pack',
      duplicates: settings.duplicates === 'mark' ? 'mark' : 'drop',
      ...(plugUUID ? { plugUUID } : {}),
      auth,
    },
  };
}

/** A context-store key prefix for the recent ids of the path: no '.', '[' or ']' (context key paths). */
export function recentIdsKeyPrefix(path: string): string {
  return `kpnUplink_${path.replace(/[^A-Za-z0-9_-]/g, '_')}_`;
}

/** The path as the outside sees it: httpNodeRoot (default '/') joined with the node's path. */
export function publicPath(httpNodeRoot: unknown, path: string): string {
  const root = typeof httpNodeRoot === 'string' ? httpNodeRoot : '/';
  return `${root.replace(/\/+$/, '')}${path}` || '/';
}
