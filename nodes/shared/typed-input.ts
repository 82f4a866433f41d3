/**
 * Reads a TypedInput property (value + type) for a message: str, num, bool, json, msg, flow, global,
 * env, jsonata, date, bin. The callback form of evaluateNodeProperty is used, so JSONata works and
 * every failure becomes a rejected promise instead of a throw.
 */
import type { Node, NodeAPI } from 'node-red';
import type { Msg } from './types';

export function evaluateProperty(
  RED: NodeAPI,
  node: Node,
  value: unknown,
  type: unknown,
  msg: Msg,
): Promise<unknown> {
  const text = value === undefined || value === null ? '' : String(value);
  const kind = typeof type === 'string' && type !== '' ? type : 'str';
  if (text === '' && kind !== 'date') return Promise.resolve(undefined);
  // msg properties (the common case) synchronously: what evaluateNodeProperty does for 'msg', no callback.
  if (kind === 'msg') {
    try {
      return Promise.resolve(RED.util.getMessageProperty(msg, text));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(text, kind, node, msg, (err: Error | null | undefined, result: unknown) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}

/** Empty means "not given": undefined, null, or blank text. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
