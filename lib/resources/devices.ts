/** Devices: the current API's cursor list, the beta API's page list, one device, its network adapters. */
import type { CallOptions, QueryParams, ThingsClient } from '../client';
import { ENDPOINTS, type Endpoint } from '../endpoints';
import { cursorPages, numberedPages, type Page } from '../pagination';
import type { BetaDevice, BetaPage, CursorPage, Device, NetworkAdapter } from '../types';
import { normalizeUuid } from '../validate';
import { COMMON_LIST_FIELDS, listQueryParams, type FieldKind } from './list-query';

/** Query parameters of GET /devices (all optional). */
export interface DeviceQuery {
  q?: string;
  limit?: number | string;
  sort?: string;
  createdBefore?: string | Date;
  createdSince?: string | Date;
  modifiedBefore?: string | Date;
  modifiedSince?: string | Date;
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
    listQueryParams(query, DEVICE_QUERY_FIELDS, 'device'),
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
