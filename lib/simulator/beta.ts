/**
 * The deprecated beta API (paths under /api/): page-numbered device list, raw LoRa downlinks via
 * the actuator, and the legacy reseller context switch. Auth failures answer 302 to GRIP's login.
 *
 * Devices come in the documented shape, nulls included (`"metadata": null`, `"barcode": null`
 * when a device has none). Without `sortBy` the list is in name order, as in the documented
 * sample; `sortBy` takes one property only (a comma list is a 400 that says so).
 */
import type { BetaPage, Device } from '../types';
import { requireToken } from './auth';
import { resolveScope, switchKey } from './context';
import type { ItemSource } from './data';
import { parseDownlinkSenml } from './downlinks';
import {
  SimError,
  badRequest,
  header,
  json,
  mediaTypes,
  parseJson,
  single,
  type Reply,
  type RequestContext,
} from './http';
import { isUuid } from './random';
import type { Route } from './server';
import type { SimState } from './state';

export const DEVICE_MEDIA_TYPE = 'application/vnd.kpnthings.device.v1.response+json';
export const ACTUATOR_MEDIA_TYPE = 'application/vnd.kpnthings.actuator.v1.response+json';
export const CONTEXT_SWITCH_PATH = '/api/v1/lifecycle/clients/{id}/context-switch';

const DEFAULT_PAGE_SIZE = 20;
const MAX_EXTERNAL_REFERENCE = 255;

/** A device as the beta API serves it (the documented sample, nulls included). */
interface BetaDeviceShape {
  uuid: string;
  name: string;
  description: string;
  metadata: Record<string, unknown> | null;
  deviceSpecificationUUID: string | null;
  barcode: string | null;
  [field: string]: unknown;
}

export function betaRoutes(state: SimState): Route[] {
  const contextSwitch = (ctx: RequestContext): Reply => switchContext(ctx, state);
  return [
    {
      method: 'GET',
      path: '/api/devices',
      key: 'GET /api/devices',
      handle: (ctx) => listDevices(ctx, state),
    },
    {
      method: 'POST',
      path: '/api/actuator/downlinks',
      key: 'POST /api/actuator/downlinks',
      handle: (ctx) => sendDownlink(ctx, state),
    },
    { method: 'GET', path: CONTEXT_SWITCH_PATH, key: `GET ${CONTEXT_SWITCH_PATH}`, handle: contextSwitch },
    { method: 'POST', path: CONTEXT_SWITCH_PATH, key: `POST ${CONTEXT_SWITCH_PATH}`, handle: contextSwitch },
  ];
}

function requireAccept(ctx: RequestContext, mediaType: string): void {
  if (!mediaTypes(header(ctx.headers, 'accept')).includes(mediaType)) {
    throw badRequest(`The Accept header must be ${mediaType}.`);
  }
}

function listDevices(ctx: RequestContext, state: SimState): Reply {
  const apiKey = requireToken(ctx, state, 'beta');
  const scope = resolveScope(ctx, state, apiKey);
  requireAccept(ctx, DEVICE_MEDIA_TYPE);
  const page = integerParam(ctx.query, 'currentPage', 0, 0, Number.MAX_SAFE_INTEGER);
  const size = integerParam(ctx.query, 'pageSize', DEFAULT_PAGE_SIZE, 1, state.maxLimit);
  const search = single(ctx.query, 'search') ?? '';
  const requested = single(ctx.query, 'sortBy');
  if (requested !== undefined && requested.includes(',')) {
    throw badRequest(
      `The parameter 'sortBy' takes one property ('name' or 'uuid'), not a list (got '${requested}').`,
    );
  }
  if (requested !== undefined && requested !== 'name' && requested !== 'uuid') {
    throw badRequest("The parameter 'sortBy' must be 'name' or 'uuid'.");
  }
  const sortBy = requested ?? 'name';
  const order = (single(ctx.query, 'sortOrder') ?? 'ASC').toUpperCase();
  if (order !== 'ASC' && order !== 'DESC')
    throw badRequest("The parameter 'sortOrder' must be 'ASC' or 'DESC'.");

  const all = state.data.devicesOf(scope.clientId);
  const list: ItemSource<Device> =
    search === '' && sortBy === 'name'
      ? state.data.devicesByName(scope.clientId, order === 'DESC')
      : state.listCache.get(`beta|${scope.clientId}|${JSON.stringify([search, sortBy, order])}`, () =>
          sortDevices(
            all.slice(0, all.length).filter((device) => device.name.includes(search)),
            sortBy === 'uuid' ? 'id' : sortBy,
            order === 'DESC',
          ),
        );
  const start = Math.min(page * size, list.length);
  const content = list.slice(start, start + size).map(toBetaDevice);
  const totalPages = Math.ceil(list.length / size);
  const body: BetaPage<BetaDeviceShape> = {
    content,
    first: page === 0,
    last: page >= totalPages - 1,
    totalPages,
    totalElements: list.length,
    numberOfElements: content.length,
    size,
    number: page,
    sort: [
      {
        direction: order,
        property: sortBy,
        ignoreCase: false,
        nullHandling: 'NATIVE',
        ascending: order === 'ASC',
        descending: order === 'DESC',
      },
    ],
  };
  return json(200, body, DEVICE_MEDIA_TYPE);
}

function sortDevices(devices: Device[], field: 'name' | 'id', descending: boolean): Device[] {
  return devices.sort((a, b) => {
    const x = a[field];
    const y = b[field];
    if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function toBetaDevice(device: Device): BetaDeviceShape {
  const metadata = device.metadata;
  return {
    uuid: device.id,
    name: device.name,
    description: device.description ?? '',
    metadata: metadata && Object.keys(metadata).length > 0 ? metadata : null,
    deviceSpecificationUUID: device.deviceSpecificationId ?? null,
    barcode: device.barcode ?? null,
  };
}

function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = single(query, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = Number.isFinite(max) ? `from ${min} to ${max}` : `of at least ${min}`;
    throw badRequest(`The parameter '${name}' must be an integer ${range}.`);
  }
  return value;
}

function sendDownlink(ctx: RequestContext, state: SimState): Reply {
  const apiKey = requireToken(ctx, state, 'beta');
  const scope = resolveScope(ctx, state, apiKey);
  requireAccept(ctx, ACTUATOR_MEDIA_TYPE);
  const contentType = mediaTypes(header(ctx.headers, 'content-type'));
  if (contentType.length !== 1 || contentType[0] !== 'application/json') {
    throw new SimError(415, 'The Content-Type header must be application/json.');
  }
  const portText = single(ctx.query, 'port');
  if (portText === undefined) throw badRequest("The query parameter 'port' is required.");
  const port = /^\d{1,3}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 223))
    throw badRequest("The query parameter 'port' must be an integer from 1 to 223.");
  const externalReference = single(ctx.query, 'externalReference') || null;
  if (externalReference !== null && externalReference.length > MAX_EXTERNAL_REFERENCE) {
    throw badRequest(
      `The query parameter 'externalReference' must not be longer than ${MAX_EXTERNAL_REFERENCE} characters.`,
    );
  }
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) throw badRequest('The request body is not valid JSON.');
  const { devEUI, payloadHex } = parseDownlinkSenml(parsed.value);
  const device = state.data.deviceByDevEUI(devEUI);
  if (!device || device.clientId !== scope.clientId) {
    throw new SimError(404, `No device with DevEUI ${devEUI} was found.`);
  }
  const record = state.downlinks.add({
    clientId: device.clientId,
    deviceId: device.id,
    devEUI,
    port,
    payloadHex,
    externalReference,
  });
  return json(
    201,
    {
      id: record.id,
      status: record.status,
      devEUI,
      port,
      payloadHex,
      externalReference,
      createdAt: record.createdAt,
    },
    ACTUATOR_MEDIA_TYPE,
  );
}

function switchContext(ctx: RequestContext, state: SimState): Reply {
  const apiKey = requireToken(ctx, state, 'beta');
  const clientId = ctx.params.id.toLowerCase();
  if (!isUuid(clientId)) throw badRequest(`The client id must be a UUID (got '${ctx.params.id}').`);
  const client = state.data.clientsById.get(clientId);
  if (!client || (client.id !== state.data.ownClient.id && client.parentId !== state.data.ownClient.id)) {
    throw new SimError(403, 'This API key has no access to the requested client.');
  }
  state.contextSwitches.add(switchKey(apiKey, clientId));
  return json(200, {});
}
