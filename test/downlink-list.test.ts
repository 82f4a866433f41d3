import { strict as assert } from 'node:assert';
import type { Simulator } from '../lib/simulator/types';
import type { ThingsClient } from '../lib/client';
import { collect, firstPage } from '../lib/pagination';
import { downlinkListQuery, downlinkPages } from '../lib/resources/downlink-list';
import { prepareDownlink, sendDownlink } from '../lib/resources/downlinks';
import { ValidationError } from '../lib/validate';
import { clientFor, withSimulator } from './support/sim';

describe('downlink list (lib/resources/downlink-list)', function () {
  describe('downlinkListQuery', function () {
    it('validates the documented parameters and names the field', function () {
      assert.deepEqual(
        downlinkListQuery({
          limit: '100',
          sort: '-modifiedAt',
          modifiedSince: '2025-09-01T00:00:00Z',
          q: 'x',
        }),
        { limit: 100, sort: '-modifiedAt', modifiedSince: '2025-09-01T00:00:00.000Z', q: 'x' },
      );
      for (const [query, field] of [
        [{ limit: 'many' }, 'limit'],
        [{ limit: 0 }, 'limit'],
        [{ sort: 'modifiedAt,,id' }, 'sort'],
        [{ createdBefore: 'yesterday' }, 'createdBefore'],
        [{ projectId: { nested: true } }, 'query.projectId'],
      ] as const) {
        assert.throws(
          () => downlinkListQuery(query),
          (err: unknown) => err instanceof ValidationError && err.field === field,
          JSON.stringify(query),
        );
      }
    });

    it('passes names it does not know through (filters are open)', function () {
      assert.deepEqual(downlinkListQuery({ projectId: 'p-1', tagValue: ['a', 'b'], flag: true, skip: '' }), {
        projectId: 'p-1',
        tagValue: ['a', 'b'],
        flag: 'true',
      });
    });
  });

  describe('against the simulator', function () {
    let sim: Simulator;
    let client: ThingsClient;
    let ids: string[];
    let euis: string[];

    before(async function () {
      sim = await withSimulator({ deviceCount: 4, customerCount: 1, devicesPerCustomer: 1 });
      client = clientFor(sim);
      euis = sim.devEUIs();
      ids = [];
      for (const [i, eui] of [euis[0], euis[1], euis[0]].entries()) {
        const downlink = prepareDownlink({
          devEUI: eui,
          payload: `0${i}FF`,
          port: i + 1,
          externalReference: `r${i}`,
        });
        const res = await sendDownlink(client, downlink);
        ids.push(String((res.body as { id: string }).id));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    after(async function () {
      await client.close();
      await sim.close();
    });

    it('walks the Getting Started example across cursor pages, items untouched', async function () {
      const result = await collect(
        downlinkPages(client, { modifiedSince: '2025-09-01T00:00:00Z', limit: 1, sort: '-modifiedAt' }),
      );
      assert.equal(result.pages, 3);
      assert.deepEqual(
        result.items.map((d) => d.id),
        [...ids].reverse(),
      );
      const oldest = result.items[2];
      assert.equal(oldest.tagValue, `urn:dev:DEVEUI:${euis[0]}:`);
      assert.equal(oldest.externalReference, 'r0');
      const sent = sim.requestsFor('GET /downlinks')[0];
      assert.deepEqual(sent.query, {
        modifiedSince: '2025-09-01T00:00:00.000Z',
        limit: '1',
        sort: '-modifiedAt',
      });
    });

    it('finds one device’s downlinks with q (the device URN, exactly)', async function () {
      const result = await collect(downlinkPages(client, { q: `urn:dev:DEVEUI:${euis[0]}:` }));
      assert.deepEqual(
        result.items.map((d) => d.id),
        [ids[0], ids[2]],
      );
    });

    it('resumes from a kept cursor link (polling since the last run)', async function () {
      const first = await firstPage(downlinkPages(client, { limit: 2 }));
      assert.ok(first?.next);
      const rest = await collect(downlinkPages(client, { limit: 2 }, { cursor: String(first.next) }));
      assert.deepEqual(
        [...first.items, ...rest.items].map((d) => d.id),
        ids,
      );
    });

    it('sends unknown filters on (the server decides) and refuses bad ones before any request', async function () {
      sim.clearRequests();
      await collect(downlinkPages(client, { projectId: '7d3c4f0e-1111-4222-8333-944455556666', limit: 5 }));
      assert.equal(
        sim.requestsFor('GET /downlinks')[0].query.projectId,
        '7d3c4f0e-1111-4222-8333-944455556666',
      );
      sim.clearRequests();
      assert.throws(() => downlinkPages(client, { limit: -1 }), ValidationError);
      assert.equal(sim.requests.length, 0);
    });
  });
});
