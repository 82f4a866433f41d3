import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { clonePlain } from '../nodes/shared/clone';

describe('clonePlain (split mode message copies)', () => {
  it('copies JSON data deeply: equal, and sharing no object with the original', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = clonePlain(value);
        assert.deepEqual(copy, value);
        if (typeof value === 'object' && value !== null) {
          assert.notEqual(copy, value);
          (copy as Record<string, unknown>).added = 1;
          assert.equal((value as Record<string, unknown>).added, undefined);
        }
      }),
    );
  });

  it('keeps a __proto__ key an own property and leaves prototypes alone', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, {"b": null}]}') as object;
    const copy = clonePlain(value) as Record<string, unknown>;
    assert.deepEqual(Object.keys(copy), ['__proto__', 'a']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  });

  it('gives up (undefined) on anything but plain data', () => {
    for (const odd of [
      { b: Buffer.from('x') },
      { d: new Date(0) },
      { f: () => 1 },
      { m: new Map() },
      [Symbol('s')],
      { res: new (class Response {})() },
    ])
      assert.equal(clonePlain(odd), undefined);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(clonePlain(cyclic), undefined);
  });
});
