/**
 * The simulator's seeded data set: the API key's own client, the customers it resells and their
 * LoRa devices.
 *
 * Start-up draws every random number into typed-array columns (cheap: no objects, no garbage);
 * device objects are built on first use and then kept. So 100 000 devices start in tens of
 * milliseconds, and paging them materialises one page at a time.
 */
import type { Customer, Device, NetworkAdapter } from '../types';
import { Random, uuidFrom } from './random';

export interface DataOptions {
  seed: number;
  deviceCount: number;
  customerCount: number;
  devicesPerCustomer: number;
}

export interface ClientRecord extends Customer {
  id: string;
  name: string;
  type: 'reseller' | 'customer';
  parentId: string | null;
  createdAt: string;
  modifiedAt: string;
}

/** A list that can be sliced without building every item (an array qualifies). */
export interface ItemSource<T> {
  readonly length: number;
  slice(start?: number, end?: number): T[];
}

interface Kind {
  name: string;
  description: (place: string) => string;
  oui: string;
}

const KINDS: readonly Kind[] = [
  { name: 'Soil sensor', description: (p) => `Soil moisture and temperature at ${p}`, oui: 'A81758' },
  { name: 'Water meter', description: (p) => `Water consumption at ${p}`, oui: '0004A3' },
  { name: 'Temperature sensor', description: (p) => `Indoor climate at ${p}`, oui: 'A81758' },
  { name: 'Parking sensor', description: (p) => `Parking bay occupancy at ${p}`, oui: '70B3D5' },
  { name: 'Door contact', description: (p) => `Open/close detection at ${p}`, oui: '0018B2' },
  { name: 'CO2 sensor', description: (p) => `Air quality (CO2) at ${p}`, oui: 'A81758' },
  { name: 'Location tag', description: (p) => `Asset tracker for equipment at ${p}`, oui: '70B3D5' },
  { name: 'Fill level sensor', description: (p) => `Waste container fill level at ${p}`, oui: '0004A3' },
  { name: 'Energy meter', description: (p) => `Electricity consumption at ${p}`, oui: '0018B2' },
  { name: 'Leak detector', description: (p) => `Water leak detection at ${p}`, oui: '70B3D5' },
];

const PLACES: readonly string[] = [
  'Field',
  'Greenhouse',
  'Warehouse Rotterdam, bay',
  'Depot Utrecht, dock',
  'Barn',
  'Pumping station Delft, unit',
  'Car park Zuid, level',
  'School Amersfoort, room',
  'Harbour quay',
  'Main office, floor',
  'Cold store',
  'Distribution centre Tilburg, hall',
];
const PLACE_NUMBERS = 40;

const CUSTOMER_NAMES: readonly string[] = [
  'Acme Farms',
  'Polder Water Board',
  'Noord Logistics',
  'Greenport Growers',
  'Stadsbeheer Zuid',
  'Dijkstra Dairy',
  'Harbour Facilities',
  'Veluwe Estates',
  'Brightside Schools',
  'Tulip Retail',
];

const START = Date.UTC(2022, 0, 3, 8, 0, 0);
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const DAY = 86_400_000;
/** Random 32-bit words per device: 4 for its id, 4 for its adapter's id, 1 for the DevEUI. */
const WORDS = 9;

export class DataSet {
  readonly ownClient: ClientRecord;
  readonly customers: ClientRecord[];
  /** Own client and customers by id. */
  readonly clientsById: Map<string, ClientRecord>;

  private readonly ranges = new Map<string, { start: number; count: number }>();
  private readonly specIds: string[];
  private readonly kind: Uint8Array;
  private readonly number: Uint32Array;
  private readonly place: Uint16Array;
  private readonly created: Float64Array;
  private readonly modified: Float64Array;
  private readonly words: Uint32Array;
  private readonly owner: string[];
  private readonly devices: (Device | undefined)[];
  private readonly barcodeOffset: number;
  private readonly euiOffset: number;
  private readonly descriptions = new Map<number, string>();
  private readonly nameOrders = new Map<string, Uint32Array>();
  private readonly formatTime = isoFormatter();
  private byId?: Map<string, number>;
  private byDevEUI?: Map<string, number>;

  constructor(options: DataOptions) {
    const random = new Random(options.seed);
    this.specIds = KINDS.map(() => random.uuid());
    this.barcodeOffset = random.int(0, 999_999_999);
    this.euiOffset = random.uint32();

    this.ownClient = {
      id: random.uuid(),
      name: 'ThingsFlow Demo',
      type: 'reseller',
      parentId: null,
      createdAt: iso(START - 30 * DAY),
      modifiedAt: iso(START - 2 * DAY),
    };
    this.customers = [];
    for (let i = 0; i < options.customerCount; i++) {
      const base = CUSTOMER_NAMES[i % CUSTOMER_NAMES.length];
      const round = Math.floor(i / CUSTOMER_NAMES.length);
      const created = START + Math.floor((NOW - START) / 2 / Math.max(1, options.customerCount)) * i;
      this.customers.push({
        id: random.uuid(),
        name: round === 0 ? base : `${base} ${round + 1}`,
        type: 'customer',
        parentId: this.ownClient.id,
        createdAt: iso(created),
        modifiedAt: iso(created + random.int(0, 200) * DAY),
      });
    }
    this.clientsById = new Map([this.ownClient, ...this.customers].map((c) => [c.id, c]));

    const total = options.deviceCount + options.customerCount * options.devicesPerCustomer;
    this.kind = new Uint8Array(total);
    this.number = new Uint32Array(total);
    this.place = new Uint16Array(total);
    this.created = new Float64Array(total);
    this.modified = new Float64Array(total);
    this.words = new Uint32Array(total * WORDS);
    this.owner = new Array<string>(total);
    this.devices = new Array<Device | undefined>(total);

    const kindCounters = KINDS.map(() => 0);
    let index = 0;
    const draw = (client: ClientRecord, count: number): void => {
      this.ranges.set(client.id, { start: index, count });
      const from = Date.parse(client.createdAt) + DAY;
      // Steps of 0.5..1.5 x averageStep: the last device is created by NOW at the latest.
      const averageStep = Math.max(1000, Math.floor((NOW - from) / 1.5 / Math.max(1, count)));
      let created = from;
      for (let i = 0; i < count; i++, index++) {
        const kind = random.int(0, KINDS.length - 1);
        this.kind[index] = kind;
        this.number[index] = ++kindCounters[kind];
        this.place[index] = random.int(0, PLACES.length * PLACE_NUMBERS - 1);
        created += Math.max(1000, Math.round((averageStep * (0.5 + random.next())) / 1000) * 1000);
        this.created[index] = created;
        const edited = created + Math.round((random.next() * 400 * DAY) / 1000) * 1000;
        this.modified[index] = random.next() < 0.3 ? created : Math.max(created, Math.min(NOW, edited));
        for (let w = 0; w < WORDS; w++) this.words[index * WORDS + w] = random.uint32();
        this.owner[index] = client.id;
      }
    };
    draw(this.ownClient, options.deviceCount);
    for (const customer of this.customers) draw(customer, options.devicesPerCustomer);
  }

  /** The devices a client owns, ordered by createdAt (oldest first); built lazily. */
  devicesOf(clientId: string): ItemSource<Device> {
    const range = this.ranges.get(clientId) ?? { start: 0, count: 0 };
    return {
      length: range.count,
      slice: (start = 0, end = range.count) => {
        const from = clamp(start, range.count);
        const to = clamp(end, range.count);
        const out: Device[] = [];
        for (let i = from; i < to; i++) out.push(this.device(range.start + i));
        return out;
      },
    };
  }

  /**
   * The devices a client owns in name order (the beta API's default order), ascending or
   * descending. The order is computed from the names alone, once per client: no device is built
   * until its page is asked for.
   */
  devicesByName(clientId: string, descending = false): ItemSource<Device> {
    const range = this.ranges.get(clientId) ?? { start: 0, count: 0 };
    let order = this.nameOrders.get(clientId);
    if (!order) {
      const names = Array.from({ length: range.count }, (_, i) => this.name(range.start + i));
      const sorted = Array.from({ length: range.count }, (_, i) => i).sort((a, b) =>
        names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b,
      );
      order = Uint32Array.from(sorted, (i) => range.start + i);
      this.nameOrders.set(clientId, order);
    }
    const indexes = order;
    const count = range.count;
    return {
      length: count,
      slice: (start = 0, end = count) => {
        const out: Device[] = [];
        for (let i = clamp(start, count); i < clamp(end, count); i++) {
          out.push(this.device(indexes[descending ? count - 1 - i : i]));
        }
        return out;
      },
    };
  }

  deviceById(id: string): Device | undefined {
    const index = this.indexOf(id);
    return index === undefined ? undefined : this.device(index);
  }

  /** Looks a device up by its upper-case DevEUI. */
  deviceByDevEUI(devEUI: string): Device | undefined {
    if (!this.byDevEUI) {
      this.byDevEUI = new Map();
      for (let i = 0; i < this.devices.length; i++) this.byDevEUI.set(this.devEUI(i), i);
    }
    const index = this.byDevEUI.get(devEUI);
    return index === undefined ? undefined : this.device(index);
  }

  adaptersOf(deviceId: string): NetworkAdapter[] {
    const index = this.indexOf(deviceId);
    if (index === undefined) return [];
    const w = index * WORDS;
    const words = this.words;
    const id = uuidFrom(words[w + 4], words[w + 5], words[w + 6], words[w + 7]);
    return [{ id, type: 'lora', devEUI: this.devEUI(index) }];
  }

  devEUIsOf(clientId: string): string[] {
    const range = this.ranges.get(clientId) ?? { start: 0, count: 0 };
    const out: string[] = [];
    for (let i = 0; i < range.count; i++) out.push(this.devEUI(range.start + i));
    return out;
  }

  /** The index of a device id; the id map is built on first use. */
  private indexOf(id: string): number | undefined {
    if (!this.byId) {
      this.byId = new Map();
      for (let i = 0; i < this.devices.length; i++) this.byId.set(this.deviceId(i), i);
    }
    return this.byId.get(id);
  }

  private deviceId(index: number): string {
    const w = index * WORDS;
    const words = this.words;
    return uuidFrom(words[w], words[w + 1], words[w + 2], words[w + 3]);
  }

  /** OUI of the device's kind + 40 bits unique per index (an odd multiplier is a bijection mod 2^32). */
  private devEUI(index: number): string {
    const high = this.words[index * WORDS + 8] & 255;
    const low = (Math.imul(index, 0x9e3779b1) + this.euiOffset) >>> 0;
    return (
      KINDS[this.kind[index]].oui +
      high.toString(16).padStart(2, '0').toUpperCase() +
      low.toString(16).padStart(8, '0').toUpperCase()
    );
  }

  private device(index: number): Device {
    const cached = this.devices[index];
    if (cached) return cached;
    const device: Device = {
      id: this.deviceId(index),
      clientId: this.owner[index],
      name: this.name(index),
      description: this.description(this.kind[index], this.place[index]),
      // Every sixth device has no barcode, like the documented beta sample ("barcode": null).
      ...(index % 6 === 5 ? {} : { barcode: barcode(index, this.barcodeOffset) }),
      deviceSpecificationId: this.specIds[this.kind[index]],
      metadata: {},
      createdAt: this.formatTime(this.created[index]),
      modifiedAt: this.formatTime(this.modified[index]),
    };
    this.devices[index] = device;
    return device;
  }

  private name(index: number): string {
    return `${KINDS[this.kind[index]].name} ${String(this.number[index]).padStart(3, '0')}`;
  }

  /** Descriptions repeat (kind x place): each text is built once. */
  private description(kind: number, place: number): string {
    const key = kind * PLACES.length * PLACE_NUMBERS + place;
    let text = this.descriptions.get(key);
    if (text === undefined) {
      text = KINDS[kind].description(
        `${PLACES[Math.floor(place / PLACE_NUMBERS)]} ${(place % PLACE_NUMBERS) + 1}`,
      );
      this.descriptions.set(key, text);
    }
    return text;
  }
}

export function generateData(options: DataOptions): DataSet {
  return new DataSet(options);
}

function clamp(value: number, length: number): number {
  const index = value < 0 ? length + value : value;
  return Math.min(Math.max(index, 0), length);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** toISOString() for whole seconds, with the date part cached per day. */
function isoFormatter(): (ms: number) => string {
  const days = new Map<number, string>();
  const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
  return (ms) => {
    const day = Math.floor(ms / DAY);
    let prefix = days.get(day);
    if (prefix === undefined) {
      prefix = iso(day * DAY).slice(0, 11);
      days.set(day, prefix);
    }
    const seconds = Math.floor((ms - day * DAY) / 1000);
    return `${prefix}${two[Math.floor(seconds / 3600)]}:${two[Math.floor(seconds / 60) % 60]}:${two[seconds % 60]}.000Z`;
  };
}

/** A 13-digit EAN barcode starting with 871 (the Netherlands), unique per index. */
function barcode(index: number, offset: number): string {
  const body = '871' + String((index * 7919 + offset) % 1_000_000_000).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return body + String((10 - (sum % 10)) % 10);
}
