/**
 * Devices: the current API's cursor list, the beta API's page list (and the translation of a
 * current-API query into the beta vocabulary), one device, and the DevEUI of a device.
 */
import type { CallOptions, QueryParams, ThingsClient } from '../client';
import { ENDPOINTS, type Endpoint } from '../endpoints';
import { ThingsAbortError } from '../errors';
import { cursorPages, numberedPages, type Page } from '../pagination';
import type { BetaDevice, BetaPage, CursorPage, Device, NetworkAdapter } from '../types';
import { ValidationError, normalizeDevEUI, normalizeUuid } from '../validate';
import { COMMON_LIST_FIELDS, listQueryParams, type CommonListQuery, type FieldKind } from './list-query';

/** Query parameters of GET /devices (all optional). */
export interface DeviceQuery extends CommonListQuery {
  clientId?: string;
  barcode?: string;
  deviceSpecificationId?: string | string[];
}

export const DEVICE_QUERY_FIELDS: Record<keyof DeviceQuery, FieldKind> = {
  ...COMMON_LIST_FIELDS,
  clientId: 'uuid',
  barcode: 'text',
  deviceSpecificationId: 'uuids',
};

/** Query parameters of the beta GET /api/devices. */
export interface BetaDeviceQuery {
  search?: string;
  pageSize?: number | string;
  currentPage?: number | string;
  sortBy?: string;
  sortOrder?: 'ASC' | 'DESC' | string;
}

export const BETA_DEVICE_QUERY_FIELDS: Record<keyof BetaDeviceQuery, FieldKind> = {
  search: 'text',
  pageSize: 'limit',
  currentPage: 'page',
  sortBy: 'text',
  sortOrder: 'order',
};

export interface PageOptions extends CallOptions {
  /** Start from this page: a `next`/`prev` link or a bare cursor value (current API). */
  cursor?: string;
}

/** Pages of GET /devices, lazily. The query is validated before the first request. */
export function devicePages(
  client: ThingsClient,
  query: DeviceQuery | Record<string, unknown> = {},
  options: PageOptions = {},
): AsyncGenerator<Page<Device>> {
  return cursorList<Device>(
    client,
    ENDPOINTS.listDevices,
    listQueryParams(query, DEVICE_QUERY_FIELDS, 'device', true),
    options,
  );
}

/** Pages of the beta GET /api/devices, from `currentPage` (default 0) to the last. */
export function betaDevicePages(
  client: ThingsClient,
  query: BetaDeviceQuery | Record<string, unknown> = {},
  options: CallOptions = {},
): AsyncGenerator<Page<BetaDevice>> {
  const params = listQueryParams(query, BETA_DEVICE_QUERY_FIELDS, 'beta device');
  const first = typeof params.currentPage === 'number' ? params.currentPage : 0;
  return numberedPages<BetaDevice>(async (page) => {
    const res = await client.call<BetaPage<BetaDevice>>(ENDPOINTS.listDevicesBeta, {
      ...options,
      query: { ...params, currentPage: page },
    });
    return res;
  }, first);
}

export async function getDevice(
  client: ThingsClient,
  deviceId: unknown,
  options: CallOptions = {},
): Promise<Device> {
  const id = normalizeUuid(deviceId, 'deviceId');
  return (await client.call<Device>(ENDPOINTS.getDevice, { ...options, params: { deviceId: id } })).body;
}

export function networkAdapterPages(
  client: ThingsClient,
  deviceId: unknown,
  options: CallOptions = {},
): AsyncGenerator<Page<NetworkAdapter>> {
  const id = normalizeUuid(deviceId, 'deviceId');
  return cursorList<NetworkAdapter>(client, ENDPOINTS.listNetworkAdapters, {}, options, { deviceId: id });
}

/**
 * A current-API device query (q, limit, sort) in the beta API's vocabulary (search, pageSize,
 * sortBy + sortOrder). The beta API sorts by one field: a sort with more keys is refused, as is any
 * filter the beta API lacks. `field` names where the query came from, for the error.
 */
export function betaQueryFrom(query: Record<string, unknown>, field = ''): Record<string, unknown> {
  const beta: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (name === 'q') beta.search = value;
    else if (name === 'limit') beta.pageSize = value;
    else if (name === 'sort') {
      const keys = (Array.isArray(value) ? value.map(String) : String(value).split(','))
        .map((key) => key.trim())
        .filter((key) => key !== '');
      if (keys.length > 1) {
        throw new ValidationError({
          field: field + name,
          code: 'invalid_query',
          value,
          problem: `has ${keys.length} sort keys, and the beta API sorts by one field only`,
          fix: 'give one field (e.g. name or -name), or choose the current API.',
        });
      }
      if (keys.length === 1) {
        beta.sortBy = keys[0].replace(/^-/, '');
        beta.sortOrder = keys[0].startsWith('-') ? 'DESC' : 'ASC';
      }
    } else {
      throw new ValidationError({
        field: field + name,
        code: 'invalid_query',
        value,
        problem: 'is not supported by the beta API',
        fix: 'clear this filter, or choose the current API.',
      });
    }
  }
  return beta;
}

/** A device's id: `id`, or `uuid` (the only documented device shape, and the beta API's). */
export function deviceIdOf(device: { id?: unknown; uuid?: unknown }): string | undefined {
  if (typeof device.id === 'string' && device.id !== '') return device.id;
  if (typeof device.uuid === 'string' && device.uuid !== '') return device.uuid;
  return undefined;
}

/**
 * The LoRa DevEUI of a device: 'none' when it has no LoRa adapter, 'unknown' when the lookup failed.
 * The device's own DevEUI field wins when the answer has one; otherwise its network adapters are
 * asked (a guess: neither that call nor its fields are documented, so it stays behind the endpoint
 * table and any failure of it only makes this one device's DevEUI unknown).
 */
export type DevEUILookup = { devEUI: string } | { devEUI: null; reason: 'none' | 'unknown' };

export async function lookupDevEUI(
  client: ThingsClient,
  device: Record<string, unknown>,
  options: CallOptions = {},
): Promise<DevEUILookup> {
  const own = ownDevEUI(device);
  if (own) return { devEUI: own };
  const id = deviceIdOf(device);
  if (!id) return { devEUI: null, reason: 'unknown' };
  try {
    for await (const page of networkAdapterPages(client, id, options)) {
      const lora = page.items.find(isLoraWithDevEUI);
      if (lora) return { devEUI: normalizeDevEUI(lora.devEUI, 'devEUI') };
    }
    return { devEUI: null, reason: 'none' };
  } catch (err) {
    // The caller gave up (or the client closed): stop the whole lookup, not just this device.
    if (options.signal?.aborted || err instanceof ThingsAbortError) throw err;
    return { devEUI: null, reason: 'unknown' };
  }
}

/** A DevEUI field of the device itself (devEUI, devEui, DevEUI …), when it holds a valid one. */
function ownDevEUI(device: Record<string, unknown>): string | undefined {
  for (const [name, value] of Object.entries(device)) {
    if (name.toLowerCase() !== 'deveui' || typeof value !== 'string') continue;
    try {
      return normalizeDevEUI(value, name);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function isLoraWithDevEUI(adapter: NetworkAdapter): boolean {
  if (String(adapter.type).toLowerCase() !== 'lora' || typeof adapter.devEUI !== 'string') return false;
  try {
    normalizeDevEUI(adapter.devEUI);
    return true;
  } catch {
    return false;
  }
}

/** Shared by every cursor-paginated list: the first page from the endpoint (or a given cursor), then `next` links. */
export function cursorList<T>(
  client: ThingsClient,
  endpoint: Endpoint,
  query: QueryParams,
  options: PageOptions,
  params?: Record<string, string>,
): AsyncGenerator<Page<T>> {
  const { cursor, ...callOptions } = options;
  const startLink = cursor && /^https?:\/\//i.test(cursor) ? cursor : undefined;
  const firstQuery = cursor && !startLink ? { ...query, cursor } : query;
  return cursorPages<T>(
    (next) =>
      client.call<CursorPage<T>>(endpoint, {
        ...callOptions,
        params,
        ...(next ? { url: next } : { query: firstQuery }),
      }),
    startLink,
  );
}
