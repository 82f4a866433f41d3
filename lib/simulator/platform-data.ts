/**
 * The documented read-only resources beyond devices and clients: projects ("Things Projects API"),
 * device groups ("Things Device API", with `projectId`) and LoRa connector bindings. They are drawn
 * from their own random stream, so adding them changes none of the seeded devices or customers.
 *
 * Shapes: a project is the one full resource schema KPN publishes (id, clientId, name,
 * description, definition.type, createdAt, createdBy, modifiedAt, modifiedBy); device groups and
 * bindings are modelled the same way (an assumption: their schemas are not published).
 */
import type { ClientRecord, DataSet, ItemSource } from './data';
import { Random } from './random';

export interface ProjectRecord extends Record<string, unknown> {
  id: string;
  clientId: string;
  name: string;
  description: string;
  definition: { type: string };
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface DeviceGroupRecord extends Record<string, unknown> {
  id: string;
  clientId: string;
  projectId: string;
  name: string;
  description: string;
  createdAt: string;
  modifiedAt: string;
}

export interface LoraBindingRecord extends Record<string, unknown> {
  id: string;
  clientId: string;
  deviceId: string;
  devEUI: string;
  createdAt: string;
  modifiedAt: string;
}

const PROJECTS: readonly { name: string; description: string; type: string }[] = [
  { name: 'Smart farming', description: 'Soil and climate sensors in the fields', type: 'STANDARD' },
  { name: 'Facility management', description: 'Buildings, doors and meters', type: 'STANDARD' },
];
const GROUPS: readonly { name: string; description: string }[] = [
  { name: 'Outdoor sensors', description: 'Devices mounted outside' },
  { name: 'Indoor sensors', description: 'Devices inside buildings' },
  { name: 'Trackers', description: 'Devices that move' },
];
const HOUR = 3_600_000;

export class PlatformData {
  private readonly projects = new Map<string, ProjectRecord[]>();
  private readonly groups = new Map<string, DeviceGroupRecord[]>();
  private readonly random: Random;

  constructor(
    private readonly data: DataSet,
    seed: number,
  ) {
    this.random = new Random(seed ^ 0x5eed_9a7a);
    // Drawn up front, in client order, so the ids do not depend on which client is asked first.
    for (const client of [data.ownClient, ...data.customers]) this.build(client);
  }

  projectsOf(clientId: string): ProjectRecord[] {
    return this.projects.get(clientId) ?? [];
  }

  projectById(id: string): ProjectRecord | undefined {
    for (const list of this.projects.values()) {
      const found = list.find((project) => project.id === id);
      if (found) return found;
    }
    return undefined;
  }

  deviceGroupsOf(clientId: string): DeviceGroupRecord[] {
    return this.groups.get(clientId) ?? [];
  }

  /** One LoRa binding per device of the client, in device order; built a page at a time. */
  loraBindingsOf(clientId: string): ItemSource<LoraBindingRecord> {
    const devices = this.data.devicesOf(clientId);
    return {
      length: devices.length,
      slice: (start, end) =>
        devices.slice(start, end).map((device) => {
          const adapter = this.data.adaptersOf(device.id)[0];
          return {
            id: adapter.id,
            clientId: device.clientId,
            deviceId: device.id,
            devEUI: adapter.devEUI ?? '',
            createdAt: device.createdAt,
            modifiedAt: device.modifiedAt,
          };
        }),
    };
  }

  private build(client: ClientRecord): void {
    const principal = `principal/${this.random.uuid()}`;
    const created = Date.parse(client.createdAt);
    const projects = PROJECTS.map((spec, i): ProjectRecord => {
      const createdAt = new Date(created + (i + 1) * HOUR).toISOString();
      return {
        id: this.random.uuid(),
        clientId: client.id,
        name: spec.name,
        description: spec.description,
        definition: { type: spec.type },
        createdAt,
        createdBy: principal,
        modifiedAt: createdAt,
        modifiedBy: principal,
      };
    });
    const groups = GROUPS.map((spec, i): DeviceGroupRecord => ({
      id: this.random.uuid(),
      clientId: client.id,
      projectId: projects[i % projects.length].id,
      name: spec.name,
      description: spec.description,
      createdAt: new Date(created + (i + 3) * HOUR).toISOString(),
      modifiedAt: new Date(created + (i + 3) * HOUR).toISOString(),
    }));
    this.projects.set(client.id, projects);
    this.groups.set(client.id, groups);
  }
}
