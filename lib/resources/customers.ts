/** Customers ("clients" in KPN Things): one by id, or the list of those the API key resells. */
import type { CallOptions, ThingsClient } from '../client';
import { ENDPOINTS } from '../endpoints';
import type { Page } from '../pagination';
import type { Customer } from '../types';
import { normalizeUuid } from '../validate';
import { cursorList, type PageOptions } from './devices';
import { COMMON_LIST_FIELDS, listQueryParams, type CommonListQuery, type FieldKind } from './list-query';

export type CustomerQuery = CommonListQuery;

export const CUSTOMER_QUERY_FIELDS: Record<keyof CustomerQuery, FieldKind> = COMMON_LIST_FIELDS;

export async function getCustomer(
  client: ThingsClient,
  customerId: unknown,
  options: CallOptions = {},
): Promise<{ customer: Customer; status: number; retries: number }> {
  const id = normalizeUuid(customerId, 'customerId');
  const res = await client.call<Customer>(ENDPOINTS.getCustomer, { ...options, params: { customerId: id } });
  return { customer: res.body, status: res.status, retries: res.retries };
}

export function customerPages(
  client: ThingsClient,
  query: CustomerQuery | Record<string, unknown> = {},
  options: PageOptions = {},
): AsyncGenerator<Page<Customer>> {
  return cursorList<Customer>(
    client,
    ENDPOINTS.listCustomers,
    listQueryParams(query, CUSTOMER_QUERY_FIELDS, 'customer', true),
    options,
  );
}
