/**
 * A deep copy of plain message data (objects, arrays, primitives) without Node-RED's general clone
 * (lodash cloneDeep), which allocates far more per message: split mode copies the input message
 * once per item. Anything else (Buffers, Dates, class instances, functions, msg.req / msg.res,
 * very deep or cyclic data) returns undefined, and the caller uses RED.util.cloneMessage instead.
 */
const MAX_DEPTH = 32;

export function clonePlain<T>(value: T): T | undefined {
  const copy = cloneValue(value, 0);
  return copy === FAILED ? undefined : (copy as T);
}

const FAILED = Symbol('not plain');

function cloneValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? FAILED : value;
  }
  if (depth >= MAX_DEPTH) return FAILED;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return FAILED;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = cloneValue(value[i], depth + 1);
      if (item === FAILED) return FAILED;
      out[i] = item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return FAILED;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    const item = cloneValue((value as Record<string, unknown>)[key], depth + 1);
    if (item === FAILED) return FAILED;
    // defineProperty: a key named __proto__ stays a plain own property, as in the original.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
