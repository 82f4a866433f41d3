/**
 * Shapes shared by the client and the simulator. Only data shapes live here: the simulator may
 * import this file (and lib/senml.ts), nothing else from lib/, so that it can disagree with the client.
 */

/** One SenML record as KPN Things uses it (RFC 8428 subset). */
export interface SenmlRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  n?: string;
  u?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  s?: number;
  t?: number;
}

/** RFC 7807 problem details, as the KPN Things API sends them (extension members allowed). */
export interface ProblemDetails {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** The current API's list envelope: cursor links, no totals. */
export interface CursorPage<T> {
  items: T[];
  next?: string | null;
  prev?: string | null;
}

/** The beta API's Spring page envelope. */
export interface BetaPage<T> {
  content: T[];
  first: boolean;
  last: boolean;
  totalPages: number;
  totalElements: number;
  numberOfElements: number;
  size: number;
  number: number;
  sort?: unknown[];
}

/** A device as the current API returns it (fields not fully confirmed by KPN; extra fields pass through). */
export interface Device {
  id: string;
  clientId: string;
  name: string;
  description?: string;
  barcode?: string;
  deviceSpecificationId?: string;
  metadata?: Record<string, unknown>;
  createdAt: string;
  modifiedAt: string;
  [field: string]: unknown;
}

/** A device as the beta API returns it. */
export interface BetaDevice {
  uuid: string;
  name: string;
  description?: string;
  metadata?: Record<string, unknown>;
  deviceSpecificationUUID?: string;
  barcode?: string;
  [field: string]: unknown;
}

/** A network adapter of a device: LoRa ones carry the DevEUI, cellular ones the IMEI. */
export interface NetworkAdapter {
  id: string;
  type: 'lora' | 'cellular' | string;
  devEUI?: string;
  imei?: string;
  [field: string]: unknown;
}

/** A customer ("client" in KPN Things). */
export interface Customer {
  id: string;
  name: string;
  [field: string]: unknown;
}
