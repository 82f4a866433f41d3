/**
 * The current KPN Things API (JSON, cursor pagination, problem+json errors): devices, their
 * network adapters, device groups, projects, LoRa bindings, clients (customers) and downlinks.
 *
 * Lists ignore query parameters they do not know (the documented filters are "the most common"
 * ones). An Accept header is answered with 406 only when it admits neither application/json nor
 * application/problem+json (nor a wildcard).
 */
import type { Device } from '../types';
import { requireToken } from './auth';
import { resolveScope, type Scope } from './context';
import type { ClientRecord } from './data';
import type { DownlinkRecord } from './downlinks';
import {
  SimError,
  badRequest,
  header,
  json,
  mediaTypes,
  single,
  JSON_TYPE,
  PROBLEM_JSON,
  type Reply,
  type RequestContext,
} from './http';
import type { Item } from './pagination';
import type { DeviceGroupRecord, LoraBindingRecord, ProjectRecord } from './platform-data';
import { listPage, timeFilters, TIME_PARAMS, type Predicate } from './pagination';
import { isUuid } from './random';
import type { Route } from './server';
import type { SimState } from './state';

const DEVICE_SORT = ['name', 'createdAt', 'modifiedAt', 'id'] as const;
const CLIENT_SORT = ['name', 'createdAt', 'modifiedAt', 'id'] as const;
const DOWNLINK_SORT = ['createdAt', 'modifiedAt', 'id'] as const;
const NAMED_SORT = ['name', 'createdAt', 'modifiedAt', 'id'] as const;
const ACCEPTABLE = new Set([JSON_TYPE, PROBLEM_JSON, '*/*', 'application/*']);

export function apiRoutes(state: SimState): Route[] {
  const route = (path: string, handle: (ctx: RequestContext, scope: Scope) => Reply): Route => ({
    method: 'GET',
    path,
    key: `GET ${path}`,
    handle: (ctx) => {
      const apiKey = requireToken(ctx, state, 'current');
      requireJsonAccept(ctx);
      return handle(ctx, resolveScope(ctx, state, apiKey));
    },
  });
  return [
    route('/devices', (ctx, scope) => listDevices(ctx, scope, state)),
    route('/devices/{id}', (ctx, scope) => {
      const device = findDevice(ctx.params.id, scope, state);
      return json(200, presentDevice(state)?.(device) ?? device);
    }),
    route('/devices/{id}/network-adapters', (ctx, scope) => listAdapters(ctx, scope, state)),
    route('/clients', (ctx, scope) => listClients(ctx, scope, state)),
    route('/clients/{id}', (ctx, scope) => json(200, findClient(ctx.params.id, scope, state))),
    route('/downlinks', (ctx, scope) => listDownlinks(ctx, scope, state)),
    route('/device-groups', (ctx, scope) => listDeviceGroups(ctx, scope, state)),
    route('/projects', (ctx, scope) => listProjects(ctx, scope, state)),
    route('/projects/{id}', (ctx, scope) => json(200, findProject(ctx.params.id, scope, state))),
    route('/lora/bindings', (ctx, scope) => listLoraBindings(ctx, scope, state)),
  ];
}

function requireJsonAccept(ctx: RequestContext): void {
  const accepted = mediaTypes(header(ctx.headers, 'accept'));
  if (accepted.length === 0 || accepted.some((type) => ACCEPTABLE.has(type))) return;
  throw new SimError(
    406,
    `This API answers application/json (errors: application/problem+json); the Accept header admits neither.`,
  );
}

/** A device as served: with `id`, with the documented `uuid` instead, or with both. */
function presentDevice(state: SimState): ((device: Device) => Item) | undefined {
  if (state.deviceIdField === 'id') return undefined;
  if (state.deviceIdField === 'both') return (device) => ({ uuid: device.id, ...device });
  return ({ id, ...rest }) => ({ uuid: id, ...rest });
}

function listDevices(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<Device>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.data.devicesOf(scope.clientId),
    sortFields: DEVICE_SORT,
    filterParams: [...TIME_PARAMS, 'q', 'clientId', 'barcode', 'deviceSpecificationId'],
    filters: deviceFilters,
    maxLimit: state.maxLimit,
    present: presentDevice(state),
  });
}

function deviceFilters(query: URLSearchParams): Predicate<Device>[] {
  const predicates = timeFilters<Device>(query);
  const q = single(query, 'q');
  if (q) {
    const needle = q.toLowerCase();
    predicates.push(
      (device) =>
        device.name.toLowerCase().includes(needle) ||
        (device.description ?? '').toLowerCase().includes(needle),
    );
  }
  const clientId = single(query, 'clientId');
  if (clientId !== undefined) {
    const id = requireUuid(clientId, 'clientId');
    predicates.push((device) => device.clientId === id);
  }
  const barcode = single(query, 'barcode');
  if (barcode) {
    const needle = barcode.toLowerCase();
    predicates.push((device) => (device.barcode ?? '').toLowerCase().includes(needle));
  }
  const specs = query
    .getAll('deviceSpecificationId')
    .map((value) => requireUuid(value, 'deviceSpecificationId'));
  if (specs.length > 0) {
    const wanted = new Set(specs);
    predicates.push((device) => wanted.has(device.deviceSpecificationId ?? ''));
  }
  return predicates;
}

function findDevice(rawId: string, scope: Scope, state: SimState): Device {
  const id = requirePathUuid(rawId);
  const device = state.data.deviceById(id);
  if (!device || device.clientId !== scope.clientId) throw new SimError(404, `Device ${id} was not found.`);
  return device;
}

function listAdapters(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  const device = findDevice(ctx.params.id, scope, state);
  return listPage(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.data.adaptersOf(device.id),
    sortFields: ['id'],
    filterParams: [],
    filters: () => [],
    maxLimit: state.maxLimit,
  });
}

/** The clients visible in a scope: the customers the key resells, or the one customer in context. */
function visibleClients(scope: Scope, state: SimState): ClientRecord[] {
  if (scope.own) return state.data.customers;
  const client = state.data.clientsById.get(scope.clientId);
  return client ? [client] : [];
}

function listClients(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<ClientRecord>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => visibleClients(scope, state),
    sortFields: CLIENT_SORT,
    maxLimit: state.maxLimit,
    filterParams: [...TIME_PARAMS, 'q'],
    filters: (query) => {
      const predicates = timeFilters<ClientRecord>(query);
      const q = single(query, 'q');
      if (q) {
        const needle = q.toLowerCase();
        predicates.push((client) => client.name.toLowerCase().includes(needle));
      }
      return predicates;
    },
  });
}

function findClient(rawId: string, scope: Scope, state: SimState): ClientRecord {
  const id = requirePathUuid(rawId);
  const client = state.data.clientsById.get(id);
  const visible = client !== undefined && (scope.own || client.id === scope.clientId);
  if (!visible) throw new SimError(404, `Client ${id} was not found.`);
  return client;
}

function listDownlinks(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<DownlinkRecord>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    version: state.downlinks.version,
    source: () => state.downlinks.forClient(scope.clientId),
    sortFields: DOWNLINK_SORT,
    maxLimit: state.maxLimit,
    filterParams: [...TIME_PARAMS, 'q'],
    filters: (query) => {
      const predicates = timeFilters<DownlinkRecord>(query);
      const q = single(query, 'q');
      // q: tagValue exactly, networkId and message partially (case-sensitive).
      if (q) predicates.push((d) => d.tagValue === q || d.networkId.includes(q) || d.message.includes(q));
      return predicates;
    },
  });
}

/** `q` as the Devices and Projects APIs describe it: partial, case-insensitive, on name or description. */
function nameOrDescription<T extends { name: string; description?: unknown }>(
  query: URLSearchParams,
): Predicate<T>[] {
  const q = single(query, 'q');
  if (!q) return [];
  const needle = q.toLowerCase();
  return [
    (item) =>
      item.name.toLowerCase().includes(needle) ||
      String(item.description ?? '')
        .toLowerCase()
        .includes(needle),
  ];
}

/** An optional UUID filter on one field (e.g. clientId, projectId, deviceId). */
function uuidFilter<T extends Item>(query: URLSearchParams, name: string, field = name): Predicate<T>[] {
  const value = single(query, name);
  if (value === undefined) return [];
  const id = requireUuid(value, name);
  return [(item) => item[field] === id];
}

function listDeviceGroups(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<DeviceGroupRecord>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.platform.deviceGroupsOf(scope.clientId),
    sortFields: NAMED_SORT,
    maxLimit: state.maxLimit,
    filterParams: [...TIME_PARAMS, 'q', 'clientId', 'projectId'],
    filters: (query) => [
      ...timeFilters<DeviceGroupRecord>(query),
      ...nameOrDescription<DeviceGroupRecord>(query),
      ...uuidFilter<DeviceGroupRecord>(query, 'clientId'),
      ...uuidFilter<DeviceGroupRecord>(query, 'projectId'),
    ],
  });
}

function listProjects(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<ProjectRecord>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.platform.projectsOf(scope.clientId),
    sortFields: NAMED_SORT,
    maxLimit: state.maxLimit,
    filterParams: [...TIME_PARAMS, 'q', 'clientId'],
    filters: (query) => [
      ...timeFilters<ProjectRecord>(query),
      ...nameOrDescription<ProjectRecord>(query),
      ...uuidFilter<ProjectRecord>(query, 'clientId'),
    ],
  });
}

function findProject(rawId: string, scope: Scope, state: SimState): ProjectRecord {
  const id = requirePathUuid(rawId);
  const project = state.platform.projectById(id);
  if (!project || project.clientId !== scope.clientId)
    throw new SimError(404, `Project ${id} was not found.`);
  return project;
}

function listLoraBindings(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<LoraBindingRecord>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.platform.loraBindingsOf(scope.clientId),
    sortFields: ['createdAt', 'modifiedAt', 'id'],
    maxLimit: state.maxLimit,
    filterParams: [...TIME_PARAMS, 'clientId', 'deviceId'],
    filters: (query) => [
      ...timeFilters<LoraBindingRecord>(query),
      ...uuidFilter<LoraBindingRecord>(query, 'clientId'),
      ...uuidFilter<LoraBindingRecord>(query, 'deviceId'),
    ],
  });
}

function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw badRequest(`The field '${field}' must be a UUID.`);
  return value.toLowerCase();
}

function requirePathUuid(value: string): string {
  if (!isUuid(value)) throw badRequest(`The path parameter 'id' must be a UUID (got '${value}').`);
  return value.toLowerCase();
}
