/**
 * The work behind the config dialog's admin endpoints, free of Node-RED so it is unit-tested on its
 * own: which settings and credentials a "Test connection" uses, the test itself (a token and one page
 * of devices), the device and customer pickers, and how a failure is told to the editor.
 * Nothing returned here ever holds a credential or a token.
 */
import type { CallOptions, ThingsClient, ThingsClientOptions } from '../../lib/client';
import { GripAuthError, ThingsError, redact } from '../../lib/errors';
import { customerPages } from '../../lib/resources/customers';
import { devicePages, networkAdapterPages } from '../../lib/resources/devices';
import { linkAbort } from '../../lib/http/abort';
import { firstPage } from '../../lib/pagination';
import type { NetworkAdapter } from '../../lib/types';
import { ValidationError, normalizeUuid } from '../../lib/validate';
import { clientOptionsFrom, envReference, type ConfigCredentials, type ConfigProperties } from './options';

/** What the editor shows in a password field it did not change: Node-RED's placeholder. */
export const SECRET_PLACEHOLDER = '__PWRD__';

/** Devices asked for by a test connection (one page). */
export const TEST_PAGE_SIZE = 100;
/** Most items a picker offers. */
export const PICKER_LIMIT = 50;
/** Network-adapter lookups of the device picker that run at once. */
export const ADAPTER_CONCURRENCY = 5;
/** A test connection gives up after this long, whatever the configured timeout. */
export const TEST_DEADLINE_MS = 20_000;

/**
 * The body the config dialog posts to /kpn-things/test-connection: the config properties, `id` (the
 * config node, whose stored credentials fill in what the form leaves blank), `clientId`, `clientSecret`.
 * Read as unknown values: it comes from the network.
 */
export type TestConnectionBody = Record<string, unknown>;

export type TestConnectionResult =
  | { ok: true; devices: number; more: boolean }
  | { ok: false; title: string; detail: string; hint: string; status: number };

/** An answer for the editor when something failed: HTTP status of the admin answer, and the body. */
export interface ProblemReply {
  httpStatus: number;
  body: { title: string; detail: string; hint: string; status: number };
}

export interface DeviceChoice {
  id: string;
  name: string;
  /** The LoRa DevEUI (16 upper-case hex digits), or null when the device has no LoRa adapter. */
  devEUI: string | null;
}

export interface CustomerChoice {
  id: string;
  name: string;
}

/** Looks up an environment variable (Node-RED's `${NAME}` substitution). */
export type EnvLookup = (name: string) => string | undefined;

/** `${NAME}` (or the old `$(NAME)`) as the whole value becomes the variable's value, as Node-RED does. */
export function resolveEnv(value: unknown, lookup: EnvLookup): unknown {
  const name = envReference(value);
  if (name === undefined) return value;
  const resolved = lookup(name);
  return resolved === undefined ? value : resolved;
}

function given(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value !== SECRET_PLACEHOLDER;
}

const PROPERTY_NAMES = [
  'tenantId',
  'apiUrl',
  'gripUrl',
  'tokenPath',
  'applicationId',
  'customerId',
  'contextMode',
  'timeout',
  'proxy',
  'proxyUrl',
] as const satisfies readonly (keyof ConfigProperties)[];

/**
 * Client options for a test: the form's properties, the form's credentials where the user typed them,
 * otherwise the stored ones of the deployed config node; `${NAME}` references resolved. A credential
 * still missing makes the ThingsClient constructor throw (a 'validation' ThingsError naming it).
 */
export function testClientOptions(
  body: TestConnectionBody,
  stored: ConfigCredentials | undefined,
  lookup: EnvLookup,
): ThingsClientOptions {
  const props: ConfigProperties = {};
  for (const name of PROPERTY_NAMES) {
    const value = resolveEnv(body[name], lookup);
    if (typeof value === 'string' || typeof value === 'number') props[name] = String(value);
  }
  const creds: ConfigCredentials = {};
  for (const name of ['clientId', 'clientSecret'] as const) {
    const typed = body[name];
    const value = resolveEnv(given(typed) ? typed : stored?.[name], lookup);
    if (typeof value === 'string') creds[name] = value;
  }
  const options = clientOptionsFrom(props, creds);
  // A test should answer within seconds: no long retry series.
  options.timeoutMs = Math.min(options.timeoutMs ?? TEST_DEADLINE_MS, TEST_DEADLINE_MS);
  options.retry = { maxRetries: 1, maxDelayMs: 1_000, deadlineMs: 5_000 };
  options.userAgent = 'node-red-kpn-things (test connection)';
  return options;
}

/** Fetches a token and one page of devices; never throws. `secrets` are scrubbed from any message. */
export async function testConnection(
  createClient: () => ThingsClient,
  secrets: (string | undefined)[],
  signal?: AbortSignal,
): Promise<TestConnectionResult> {
  let client: ThingsClient | undefined;
  const call = linkAbort(signal, AbortSignal.timeout(TEST_DEADLINE_MS));
  try {
    client = createClient();
    await client.authenticate(call.signal);
    const page = await firstPage(devicePages(client, { limit: TEST_PAGE_SIZE }, { signal: call.signal }));
    return { ok: true, devices: page?.items.length ?? 0, more: typeof page?.next === 'string' };
  } catch (err) {
    const { body } = problemReply(err, secrets);
    return { ok: false, ...body };
  } finally {
    call.dispose();
    await client?.close();
  }
}

/** Up to PICKER_LIMIT devices matching `q`, each with its LoRa DevEUI (adapter lookups 5 at a time). */
export async function pickDevices(
  client: ThingsClient,
  q: unknown,
  options: CallOptions = {},
): Promise<DeviceChoice[]> {
  const page = await firstPage(devicePages(client, { q: searchText(q), limit: PICKER_LIMIT }, options));
  const devices = (page?.items ?? []).slice(0, PICKER_LIMIT);
  return mapLimit(devices, ADAPTER_CONCURRENCY, async (device) => ({
    id: device.id,
    name: typeof device.name === 'string' ? device.name : device.id,
    devEUI: await loraDevEUI(client, device.id, options),
  }));
}

async function loraDevEUI(
  client: ThingsClient,
  deviceId: string,
  options: CallOptions,
): Promise<string | null> {
  try {
    for await (const page of networkAdapterPages(client, deviceId, options)) {
      const lora = page.items.find(isLoraWithDevEUI);
      if (lora) return String(lora.devEUI).toUpperCase();
    }
    return null;
  } catch (err) {
    // A device that vanished between the two calls has no DevEUI to offer; anything else is reported.
    if (err instanceof ThingsError && err.status === 404) return null;
    throw err;
  }
}

function isLoraWithDevEUI(adapter: NetworkAdapter): boolean {
  return (
    String(adapter.type).toLowerCase() === 'lora' &&
    typeof adapter.devEUI === 'string' &&
    adapter.devEUI !== ''
  );
}

/** Up to PICKER_LIMIT customers the API key resells, matching `q` (no reseller context is sent). */
export async function pickCustomers(
  client: ThingsClient,
  q: unknown,
  options: CallOptions = {},
): Promise<CustomerChoice[]> {
  const page = await firstPage(
    customerPages(client, { q: searchText(q), limit: PICKER_LIMIT }, { ...options, customerId: null }),
  );
  const customers = (page?.items ?? []).slice(0, PICKER_LIMIT);
  return customers.map((c) => ({ id: c.id, name: typeof c.name === 'string' ? c.name : c.id }));
}

/** The picker's optional `customerId` query parameter: act for that customer. */
export function pickerCallOptions(customerId: unknown, signal?: AbortSignal): CallOptions {
  const options: CallOptions = signal ? { signal } : {};
  if (typeof customerId === 'string' && customerId.trim() !== '') {
    options.customerId = normalizeUuid(customerId, 'customerId');
  }
  return options;
}

function searchText(q: unknown): string | undefined {
  if (Array.isArray(q)) return searchText(q[0]);
  if (typeof q !== 'string') return undefined;
  const text = q.trim().slice(0, 100);
  return text === '' ? undefined : text;
}

/** Runs `fn` over `items` with at most `limit` calls at once; keeps the order; the first failure wins. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** The title, detail and hint the editor shows for a failure, with an HTTP status for the admin answer. */
export function problemReply(err: unknown, secrets: (string | undefined)[] = []): ProblemReply {
  const clean = (text: string): string => scrub(text, secrets);
  if (err instanceof GripAuthError) {
    return reply(502, err.status, clean(err.title), clean(err.detail ?? ''), clean(err.hint));
  }
  if (err instanceof ThingsError) {
    const detail = clean(err.detail ?? err.message);
    switch (err.kind) {
      case 'validation':
        return reply(400, 0, clean(err.title), detail, hintFor(err));
      case 'timeout':
        return reply(504, 0, err.title, detail, HINTS.timeout);
      case 'network':
        return reply(502, 0, err.title, detail, HINTS.network);
      case 'aborted':
        return reply(504, 0, err.title, detail, HINTS.timeout);
      default:
        // Never pass the API's 401 on: the editor would take it for its own session expiring.
        return reply(502, err.status, clean(err.title), detail, hintFor(err));
    }
  }
  if (err instanceof ValidationError) {
    return reply(400, 0, 'Invalid input', clean(err.message), clean(err.hint));
  }
  const message = err instanceof Error ? err.message : String(err);
  return reply(500, 0, 'Unexpected error', clean(message), HINTS.unexpected);
}

const HINTS = {
  missing:
    'Fill in the tenant id, API key id and secret (or deploy the config node first to use its stored ones).',
  timeout:
    'No answer in time: check the API and GRIP URLs, the proxy setting, and the network of the Node-RED host.',
  network:
    'Could not reach the server: check the API and GRIP URLs, the proxy setting, and the network of the Node-RED host.',
  auth: 'The API refused the token: check that the API key has access to KPN Things (the KPN Things service in GRIP).',
  forbidden:
    'The API key may not do this: check its rights, and the customer (reseller context) of the config node.',
  notFound: 'Not found: check the API URL of the config node.',
  rateLimited: 'KPN Things asks to slow down: try again in a minute.',
  server: 'KPN Things had a problem: try again later.',
  unexpected: 'Check the Node-RED log for details.',
} as const;

function hintFor(err: ThingsError): string {
  if (err.kind === 'validation') {
    const field = typeof err.problem.field === 'string' ? err.problem.field : '';
    return field === 'clientId' || field === 'clientSecret' || field === 'tenantId'
      ? HINTS.missing
      : 'Check the settings of the config node.';
  }
  const status = err.status;
  if (status === 401) return HINTS.auth;
  if (status === 403) return HINTS.forbidden;
  if (status === 404) return HINTS.notFound;
  if (status === 429) return HINTS.rateLimited;
  if (status >= 500) return HINTS.server;
  return 'Check the settings of the config node.';
}

function reply(
  httpStatus: number,
  status: number,
  title: string,
  detail: string,
  hint: string,
): ProblemReply {
  return { httpStatus, body: { title, detail, hint, status } };
}

/** Removes every occurrence of the given secrets (4 characters or more) from a text. */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  return redact(text, secrets, 4);
}
