/**
 * From the config node's saved properties and credentials to ThingsClient options. No Node-RED import:
 * unit-tested on its own. Blank fields fall back to the documented defaults.
 */
import fs from 'node:fs';
import type { ThingsClientOptions } from '../../lib/client';
import { ValidationError } from '../../lib/validate';
import { DEFAULT_TIMEOUT_S } from './schema';

export interface ConfigProperties {
  name?: string;
  tenantId?: string;
  apiUrl?: string;
  gripUrl?: string;
  tokenPath?: string;
  applicationId?: string;
  customerId?: string;
  contextMode?: string;
  /** Seconds. */
  timeout?: string | number;
  /** 'env' (HTTP(S)_PROXY / NO_PROXY), 'none', or 'url' (then proxyUrl). */
  proxy?: string;
  proxyUrl?: string;
  /** A PEM file with extra CA certificate(s), on the Node-RED host. */
  caFile?: string;
}

export interface ConfigCredentials {
  clientId?: string;
  clientSecret?: string;
  /** Extra CA certificate(s), pasted PEM. */
  ca?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text; an error naming `field` when it holds none. */
function pemCertificates(text: string, field: string): string[] {
  const found = text.match(PEM_CERTIFICATE);
  if (!found) {
    throw new ValidationError({
      field,
      code: 'invalid_certificate',
      value: text,
      problem: 'holds no PEM certificate',
      fix: 'give the CA certificate as PEM text (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), or clear it.',
    });
  }
  return found;
}

/**
 * The extra CA certificates of a config node (PEM), from its file and its pasted text; undefined when
 * there are none. Added to the public roots, never replacing them; TLS verification stays on.
 */
export function customCa(props: ConfigProperties, creds: ConfigCredentials): string | undefined {
  const certificates: string[] = [];
  const file = text(props.caFile);
  if (file !== undefined) {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ValidationError({
        field: 'caFile',
        code: 'invalid_certificate',
        value: file,
        problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        fix: 'give the path of a PEM file that Node-RED can read, or clear it.',
      });
    }
    certificates.push(...pemCertificates(pem, 'caFile'));
  }
  const pasted = typeof creds.ca === 'string' ? creds.ca.trim() : '';
  if (pasted !== '' && envReference(pasted) === undefined)
    certificates.push(...pemCertificates(pasted, 'ca'));
  return certificates.length > 0 ? certificates.join('\n') : undefined;
}

/**
 * The variable a whole-value `${NAME}` (or the older `$(NAME)`) names, as Node-RED substitutes them;
 * undefined for any other value. Node-RED leaves the reference in place when the variable is not set.
 */
export function envReference(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{(\S+)\}$|^\$\((\S+)\)$/.exec(value.trim());
  return match ? (match[1] ?? match[2]) : undefined;
}

/** A setting's text; blank and unresolved `${NAME}` values count as not set (the default applies). */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const out = String(value).trim();
  return out === '' || envReference(out) !== undefined ? undefined : out;
}

/** A required setting: an unresolved `${NAME}` is an error that names the variable. */
function required(value: unknown, field: string): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  const variable = envReference(raw);
  if (variable !== undefined) {
    throw new ValidationError({
      field,
      code: 'missing_setting',
      value: raw,
      problem: `refers to the environment variable ${variable}, which is not set`,
      hint: `set ${variable} in the environment of Node-RED, or type the value into the KPN Things config node.`,
    });
  }
  return field === 'clientSecret' ? (typeof value === 'string' ? value : '') : (text(value) ?? '');
}

export function clientOptionsFrom(
  props: ConfigProperties,
  creds: ConfigCredentials = {},
): ThingsClientOptions {
  const timeout = Number(text(props.timeout) ?? DEFAULT_TIMEOUT_S);
  const proxy =
    props.proxy === 'none'
      ? 'none'
      : props.proxy === 'url' && text(props.proxyUrl)
        ? String(text(props.proxyUrl))
        : 'env';
  return {
    tenantId: required(props.tenantId, 'tenantId'),
    clientId: required(creds.clientId, 'clientId'),
    clientSecret: required(creds.clientSecret, 'clientSecret'),
    apiUrl: text(props.apiUrl),
    gripUrl: text(props.gripUrl),
    tokenPath: text(props.tokenPath),
    applicationId: text(props.applicationId),
    customerId: text(props.customerId),
    contextMode: props.contextMode === 'legacy' ? 'legacy' : 'header',
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : DEFAULT_TIMEOUT_S * 1000,
    proxy,
    ca: customCa(props, creds),
  };
}
