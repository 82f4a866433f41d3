/**
 * The current KPN Things API (JSON, cursor pagination, problem+json errors): devices, their
 * network adapters, clients (customers) and downlinks.
 */
import type { Device } from '../types';
import { requireToken } from './auth';
import { resolveScope, type Scope } from './context';
import type { ClientRecord } from './data';
import type { DownlinkRecord } from './downlinks';
import { SimError, badRequest, json, single, type Reply, type RequestContext } from './http';
import { listPage, timeFilters, TIME_PARAMS, type Predicate } from './pagination';
import { isUuid } from './random';
import type { Route } from './server';
import type { SimState } from './state';

const DEVICE_SORT = ['name', 'createdAt', 'modifiedAt', 'id'] as const;
const CLIENT_SORT = ['name', 'createdAt', 'modifiedAt', 'id'] as const;
const DOWNLINK_SORT = ['createdAt', 'modifiedAt', 'id'] as const;

export function apiRoutes(state: SimState): Route[] {
  const route = (path: string, handle: (ctx: RequestContext, scope: Scope) => Reply): Route => ({
    method: 'GET',
    path,
    key: `GET ${path}`,
    handle: (ctx) => {
      const apiKey = requireToken(ctx, state, 'current');
      return handle(ctx, resolveScope(ctx, state, apiKey));
    },
  });
  return [
    route('/devices', (ctx, scope) => listDevices(ctx, scope, state)),
    route('/devices/{id}', (ctx, scope) => json(200, findDevice(ctx.params.id, scope, state))),
    route('/devices/{id}/network-adapters', (ctx, scope) => listAdapters(ctx, scope, state)),
    route('/clients', (ctx, scope) => listClients(ctx, scope, state)),
    route('/clients/{id}', (ctx, scope) => json(200, findClient(ctx.params.id, scope, state))),
    route('/downlinks', (ctx, scope) => listDownlinks(ctx, scope, state)),
  ];
}

function listDevices(ctx: RequestContext, scope: Scope, state: SimState): Reply {
  return listPage<Device>(ctx, state.apiUrl, state.listCache, {
    scopeKey: scope.clientId,
    source: () => state.data.devicesOf(scope.clientId),
    sortFields: DEVICE_SORT,
    filterParams: [...TIME_PARAMS, 'q', 'clientId', 'barcode', 'deviceSpecificationId'],
    filters: deviceFilters,
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

function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw badRequest(`The field '${field}' must be a UUID.`);
  return value.toLowerCase();
}

function requirePathUuid(value: string): string {
  if (!isUuid(value)) throw badRequest(`The path parameter 'id' must be a UUID (got '${value}').`);
  return value.toLowerCase();
}
