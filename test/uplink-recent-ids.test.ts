import { strict as assert } from 'node:assert';
import { MemoryRecentIds, StoreRecentIds, type AsyncKeyValueStore } from '../lib/uplink/recent-ids';

function mapStore(): AsyncKeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (key) => data.get(key),
    set: async (key, value) => {
      if (value === undefined) data.delete(key);
      else data.set(key, value);
    },
  };
}

describe('recent ids', () => {
  it('memory: remembers an id until it expires, synchronously', () => {
    let now = 1000;
    const ids = new MemoryRecentIds({ ttlMs: 100, now: () => now });
    assert.equal(ids.checkAndRemember('a'), false);
    assert.equal(ids.checkAndRemember('a'), true);
    now += 99;
    assert.equal(ids.checkAndRemember('a'), true);
    now += 1;
    assert.equal(ids.checkAndRemember('a'), false);
    assert.equal(ids.size, 1);
    ids.forget('a');
    assert.equal(ids.checkAndRemember('a'), false);
  });

  it('memory: is bounded, dropping the oldest first', () => {
    const ids = new MemoryRecentIds({ maxIds: 3 });
    for (const id of ['a', 'b', 'c', 'd']) assert.equal(ids.checkAndRemember(id), false);
    assert.equal(ids.size, 3);
    assert.equal(ids.checkAndRemember('d'), true);
    assert.equal(ids.checkAndRemember('a'), false);
  });

  it('memory: prunes expired ids as time passes', () => {
    let now = 0;
    const ids = new MemoryRecentIds({ ttlMs: 10, now: () => now });
    for (let i = 0; i < 100; i++) ids.checkAndRemember(`id${i}`);
    now = 11;
    ids.checkAndRemember('x');
    assert.equal(ids.size, 1);
  });

  it('refuses bad options', () => {
    assert.throws(() => new MemoryRecentIds({ maxIds: 0 }), /maxIds/);
    assert.throws(() => new MemoryRecentIds({ ttlMs: 1.5 }), /ttlMs/);
    assert.throws(() => new StoreRecentIds(mapStore(), { keyPrefix: 'a.b' }), /keyPrefix/);
  });

  it('store: two instances on one store recognise each other’s ids; keys expire and are deleted', async () => {
    let now = 0;
    const store = mapStore();
    const a = new StoreRecentIds(store, { keyPrefix: 'up_', ttlMs: 100, now: () => now });
    const b = new StoreRecentIds(store, { keyPrefix: 'up_', ttlMs: 100, now: () => now });
    assert.equal(await a.checkAndRemember('m1'), false);
    assert.equal(store.data.get('up_m1'), 100);
    assert.equal(await b.checkAndRemember('m1'), true);
    assert.equal(await a.checkAndRemember('m1'), true);
    now = 150;
    assert.equal(await a.checkAndRemember('m2'), false);
    assert.ok(!store.data.has('up_m1'), 'the expired key written by a is deleted by a');
    assert.equal(await b.checkAndRemember('m1'), false);
    await b.forget('m1');
    assert.ok(!store.data.has('up_m1'));
  });
});
