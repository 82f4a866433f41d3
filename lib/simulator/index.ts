/**
 * The KPN Things simulator: a simulated GRIP token endpoint and KPN Things API (current and
 * beta) on two loopback listeners, with seeded data, fault injection and request recording.
 *
 * It imports nothing from lib/ but the shared data shapes, so it can disagree with the client.
 */
import { apiRoutes } from './api';
import { betaRoutes } from './beta';
import { generateData } from './data';
import { DownlinkStore } from './downlinks';
import { FaultSet } from './faults';
import { DEFAULT_GRIP_ERROR_STATUS, gripError, gripRoutes } from './grip';
import { problem } from './http';
import { ListCache } from './pagination';
import { PushDestinations, pushRoutes } from './push';
import { PlatformData } from './platform-data';
import { Recorder } from './recorder';
import { Listener } from './server';
import type { SimState } from './state';
import { TokenStore } from './tokens';
import type {
  BadTokenStatus,
  DeviceIdField,
  Fault,
  GripErrorKind,
  Simulator,
  SimulatorCredentials,
  SimulatorOptions,
  TokenShape,
} from './types';

export type * from './types';

export const DEFAULT_CREDENTIALS: Readonly<SimulatorCredentials> = Object.freeze({
  tenantId: 'thingsflow-demo',
  clientId: 'demo-client',
  clientSecret: 'demo-secret-please-change',
  applicationId: '4dc82561-f65f-523g-dek9-6c79ec314f02',
});

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const MAX_DEVICES = 2_000_000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const requested = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(requested))
    throw new TypeError(`The simulator listens on loopback only, not on '${requested}'.`);
  const host = requested === 'localhost' ? '127.0.0.1' : requested;
  const seed = count(options.seed, 1, 'seed', 0xffffffff);
  const tokenLifetimeSeconds = lifetime(options.tokenLifetimeSeconds ?? 3600);
  const credentials: SimulatorCredentials = {
    ...DEFAULT_CREDENTIALS,
    ...definedOnly(options.credentials ?? {}),
  };
  const data = generateData({
    seed,
    deviceCount: count(options.deviceCount, 5, 'deviceCount', MAX_DEVICES),
    customerCount: count(options.customerCount, 3, 'customerCount', 10_000),
    devicesPerCustomer: count(options.devicesPerCustomer, 2, 'devicesPerCustomer', MAX_DEVICES),
  });
  const gripErrorStatus = { ...DEFAULT_GRIP_ERROR_STATUS };
  for (const [kind, status] of Object.entries(options.gripErrorStatus ?? {})) {
    if (status !== undefined) gripErrorStatus[gripErrorKind(kind)] = httpStatus(status, 'gripErrorStatus');
  }
  const state: SimState = {
    credentials,
    tokenShape: shape(options.tokenShape ?? 'snake'),
    tokenLifetimeSeconds,
    keyWithoutThingsService: options.keyWithoutThingsService === true,
    badTokenStatus: badTokenStatus(options.badTokenStatus ?? 302),
    maxLimit: maxLimit(options.maxLimit),
    gripErrorStatus,
    gripAnswersWithoutToken: options.gripAnswersWithoutToken === true,
    deviceIdField: deviceIdField(options.deviceIdField ?? 'id'),
    data,
    platform: new PlatformData(data, seed),
    tokens: new TokenStore(),
    downlinks: new DownlinkStore(),
    listCache: new ListCache(),
    contextSwitches: new Set(),
    gripUrl: '',
    apiUrl: '',
  };
  const faults = new FaultSet(seed);
  const recorder = new Recorder();
  const push = new PushDestinations(() => state.data.devEUIsOf(state.data.ownClient.id));

  const grip = new Listener({
    name: 'grip',
    routes: gripRoutes(state),
    faults,
    recorder,
    errorReply: (_ctx, status, detail, _title, headers) => gripError(status, detail, headers),
  });
  const api = new Listener({
    name: 'api',
    routes: [...apiRoutes(state), ...betaRoutes(state), ...pushRoutes(push)],
    faults,
    recorder,
    errorReply: (ctx, status, detail, title, headers) => problem(status, detail, ctx.target, title, headers),
  });

  try {
    const gripAddress = await grip.listen(host, options.gripPort ?? 0);
    const apiAddress = await api.listen(host, options.apiPort ?? 0);
    state.gripUrl = baseUrl(host, gripAddress.port);
    state.apiUrl = baseUrl(host, apiAddress.port);
  } catch (error) {
    await Promise.all([grip.close(), api.close(), push.close()]);
    throw error;
  }

  let closing: Promise<void> | undefined;
  const simulator: Simulator = {
    gripUrl: state.gripUrl,
    apiUrl: state.apiUrl,
    credentials: { ...credentials },
    ownClientId: state.data.ownClient.id,
    customers: state.data.customers.map(({ id, name }) => ({ id, name })),
    requests: recorder.requests,
    get tokensIssued() {
      return state.tokens.issued;
    },
    requestsFor: (route: string) => recorder.for(route),
    clearRequests: () => recorder.clear(),
    inject: (fault: Fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    setTokenShape: (value: TokenShape) => {
      state.tokenShape = shape(value);
    },
    setTokenLifetime: (seconds: number) => {
      state.tokenLifetimeSeconds = lifetime(seconds);
    },
    revokeTokens: () => state.tokens.revokeAll(),
    setBadTokenStatus: (status: BadTokenStatus) => {
      state.badTokenStatus = badTokenStatus(status);
    },
    setMaxLimit: (max: number | undefined) => {
      state.maxLimit = maxLimit(max);
    },
    setGripErrorStatus: (kind: GripErrorKind, status: number) => {
      state.gripErrorStatus[gripErrorKind(kind)] = httpStatus(status, 'gripErrorStatus');
    },
    setGripAnswersWithoutToken: (on: boolean) => {
      state.gripAnswersWithoutToken = on === true;
    },
    setDeviceIdField: (field: DeviceIdField) => {
      state.deviceIdField = deviceIdField(field);
    },
    projectIds: () => state.platform.projectsOf(state.data.ownClient.id).map((project) => project.id),
    devEUIs: () => state.data.devEUIsOf(state.data.ownClient.id),
    addDestination: (destination) => push.add(destination),
    destinations: () => push.list(),
    removeDestination: (id) => push.remove(id),
    pushUplink: (id, pushOptions) => push.push(id, pushOptions),
    pushAttempts: (id) => push.attemptsOf(id),
    close: () => {
      closing ??= Promise.all([push.close(), grip.close(), api.close()]).then(() => undefined);
      return closing;
    },
  };
  return simulator;
}

function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function count(value: number | undefined, fallback: number, name: string, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(`${name} must be an integer from 0 to ${max}.`);
  }
  return value;
}

function lifetime(seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new TypeError('The token lifetime must be a positive number of seconds.');
  }
  return seconds;
}

function shape(value: TokenShape): TokenShape {
  if (value !== 'snake' && value !== 'camel')
    throw new TypeError("The token shape must be 'snake' or 'camel'.");
  return value;
}

function badTokenStatus(value: BadTokenStatus): BadTokenStatus {
  if (value !== 302 && value !== 401) throw new TypeError('badTokenStatus must be 302 or 401.');
  return value;
}

function maxLimit(value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError('maxLimit must be a positive integer (or undefined: no maximum).');
  return value;
}

function gripErrorKind(value: string): GripErrorKind {
  if (value !== 'user' && value !== 'service' && value !== 'tenant')
    throw new TypeError("A GRIP error kind is 'user', 'service' or 'tenant'.");
  return value;
}

function httpStatus(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 200 || value > 599)
    throw new TypeError(`${name} must be an HTTP status from 200 to 599.`);
  return value;
}

function deviceIdField(value: DeviceIdField): DeviceIdField {
  if (value !== 'id' && value !== 'uuid' && value !== 'both')
    throw new TypeError("deviceIdField must be 'id', 'uuid' or 'both'.");
  return value;
}

function definedOnly(values: Partial<SimulatorCredentials>): Partial<SimulatorCredentials> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
