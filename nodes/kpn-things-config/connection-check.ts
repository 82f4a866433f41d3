/**
 * The work behind the config dialog's admin endpoints, free of Node-RED so it is unit-tested on its
 * own: which settings and credentials a "Test connection" uses, the test itself (a token and one page
 * of devices), the device and customer pickers, and how a failure is told to the editor.
 * Nothing returned here ever holds a credential or a token.
 */
import type { CallOptions, ThingsClient, ThingsClientOptions } from '../../lib/client';
import { GripAuthError, ThingsError, problemDetails, redact } from '../../lib/errors';
import { customerPages } from '../../lib/resources/customers';
import { deviceIdOf, devicePages, lookupDevEUI } from '../../lib/resources/devices';
import { linkAbort } from '../../lib/http/abort';
import { firstPage } from '../../lib/pagination';
import { normalizeUuid } from '../../lib/validate';
import { translateHint, type Translate } from '../shared/problem';
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
  /** The LoRa DevEUI (16 upper-case hex digits), or null when the device has none or it is unknown. */
  devEUI: string | null;
  /** True when the DevEUI lookup failed for this device ("DevEUI unknown"); the rest of the list stands. */
  devEUIUnknown?: true;
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
  'caFile',
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
  for (const name of ['clientId', 'clientSecret', 'ca'] as const) {
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
  translate?: Translate,
): Promise<TestConnectionResult> {
  let client: ThingsClient | undefined;
  const call = linkAbort(signal, AbortSignal.timeout(TEST_DEADLINE_MS));
  try {
    client = createClient();
    await client.authenticate(call.signal);
    const page = await firstPage(devicePages(client, { limit: TEST_PAGE_SIZE }, { signal: call.signal }));
    return { ok: true, devices: page?.items.length ?? 0, more: typeof page?.next === 'string' };
  } catch (err) {
    const { body } = problemReply(err, secrets, translate);
    return { ok: false, ...body };
  } finally {
    call.dispose();
    await client?.close();
  }
}

/**
 * Up to PICKER_LIMIT devices matching `q`, each with its LoRa DevEUI (lookups 5 at a time). A failed
 * lookup marks that one device "DevEUI unknown" instead of failing the picker.
 */
export async function pickDevices(
  client: ThingsClient,
  q: unknown,
  options: CallOptions = {},
): Promise<DeviceChoice[]> {
  const page = await firstPage(devicePages(client, { q: searchText(q), limit: PICKER_LIMIT }, options));
  const devices = (page?.items ?? []).slice(0, PICKER_LIMIT).filter((d) => deviceIdOf(d) !== undefined);
  return mapLimit(devices, ADAPTER_CONCURRENCY, async (device) => {
    const id = deviceIdOf(device) as string;
    const found = await lookupDevEUI(client, device, options);
    const choice: DeviceChoice = {
      id,
      name: typeof device.name === 'string' ? device.name : id,
      devEUI: found.devEUI,
    };
    if (found.devEUI === null && found.reason === 'unknown') choice.devEUIUnknown = true;
    return choice;
  });
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
  const choices: CustomerChoice[] = [];
  for (const customer of (page?.items ?? []).slice(0, PICKER_LIMIT)) {
    const id = deviceIdOf(customer);
    if (id) choices.push({ id, name: typeof customer.name === 'string' ? customer.name : id });
  }
  return choices;
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

/**
 * The title, detail and hint the editor shows for a failure, with an HTTP status for the admin answer.
 * The hint is the error's hint code, translated by `translate` (the runtime's catalogue).
 */
export function problemReply(
  err: unknown,
  secrets: (string | undefined)[] = [],
  translate: Translate = (code) => code,
): ProblemReply {
  const clean = (text: string): string => scrub(text, secrets);
  const problem = problemDetails(err);
  if (isMissingCredential(err)) {
    problem.hint = undefined;
    problem.hintParams = undefined;
  }
  const code =
    problem.hint ?? (isMissingCredential(err) ? 'connection.missing' : 'connection.check-settings');
  const hint = translateHint(code, problem.hintParams, translate);
  let httpStatus = 500;
  let status = 0;
  if (err instanceof GripAuthError) {
    httpStatus = 502;
    status = err.status;
  } else if (err instanceof ThingsError) {
    // Never pass the API's 401 on: the editor would take it for its own session expiring.
    httpStatus =
      err.kind === 'validation' ? 400 : err.kind === 'timeout' || err.kind === 'aborted' ? 504 : 502;
    status = err.kind === 'api' || err.kind === 'auth' || err.kind === 'malformed-response' ? err.status : 0;
  }
  const title = problem.title;
  const detail = problem.detail ?? (err instanceof Error ? err.message : String(err));
  return { httpStatus, body: { title: clean(title), detail: clean(detail), hint: clean(hint), status } };
}

/** A tenant id, API key id or secret that is missing: the dialog's own hint (fill in, or deploy first). */
function isMissingCredential(err: unknown): boolean {
  return (
    err instanceof ThingsError &&
    err.kind === 'validation' &&
    ['clientId', 'clientSecret', 'tenantId'].includes(String(err.problem.field))
  );
}

/** Removes every occurrence of the given secrets (4 characters or more) from a text. */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  return redact(text, secrets, 4);
}
