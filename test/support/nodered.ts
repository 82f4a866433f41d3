/**
 * Test support for the Node-RED nodes: node-red-node-test-helper bound to the Node-RED under test
 * (NODE_RED_PATH points at another install, e.g. Node-RED 5 for the compat run), the node modules
 * (from the build, or from NODES_DIR: the unpacked tarball), and a few core nodes (catch, status).
 */
import path from 'node:path';
import type { Node } from 'node-red';

/* eslint-disable @typescript-eslint/no-require-imports */

export interface TestHelper {
  init(runtimePath?: string, settings?: Record<string, unknown>): void;
  settings(userSettings?: Record<string, unknown>): Record<string, unknown>;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): (Node & Record<string, unknown>) | null;
  startServer(done: (err?: unknown) => void): void;
  stopServer(done: (err?: unknown) => void): void;
  setFlows(flow: unknown[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  request(): import('node:http').Server & {
    get(path: string): SuperRequest;
    post(path: string): SuperRequest;
  };
  clearFlows(): Promise<void>;
  _RED: { nodes: { getCredentials(id: string): unknown }; runtime?: unknown };
}

export interface SuperRequest {
  send(body: unknown): SuperRequest;
  set(name: string, value: string): SuperRequest;
  expect(status: number): Promise<{ body: unknown; text: string; status: number }>;
  then: Promise<{ body: unknown; text: string; status: number }>['then'];
}

export const helper = require('node-red-node-test-helper') as TestHelper;

const nodeRedPath = process.env.NODE_RED_PATH ?? require.resolve('node-red');
helper.init(nodeRedPath);

/** Where the package's node modules are loaded from: the build output, or an unpacked tarball. */
const nodesDir = process.env.NODES_DIR ?? path.join(__dirname, '..', '..', 'nodes');

function nodeModule(name: string): unknown {
  return require(path.join(nodesDir, name, `${name}.js`));
}

export const configNode = nodeModule('kpn-things-config');
export const devicesNode = nodeModule('kpn-things-devices');
export const downlinkNode = nodeModule('kpn-things-downlink');
export const customerNode = nodeModule('kpn-things-customer');
export const downlinksNode = nodeModule('kpn-things-downlinks');
export const requestNode = nodeModule('kpn-things-request');
export const uplinkNode = nodeModule('kpn-things-uplink');
export const allNodes = [
  configNode,
  devicesNode,
  downlinkNode,
  customerNode,
  downlinksNode,
  requestNode,
  uplinkNode,
];

/** A core node of the Node-RED under test, e.g. coreNode('common/25-catch'). */
export function coreNode(file: string): unknown {
  const base = path.dirname(
    require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(nodeRedPath)] }),
  );
  return require(path.join(base, 'core', `${file}.js`));
}

/** The core nodes the example flows and the 0.1.0 fixtures use (debug aside: tests often swap it for a helper). */
export const flowCoreNodes = [
  'common/20-inject',
  'common/25-catch',
  'common/90-comment',
  'function/10-switch',
  'function/15-change',
  'sequence/17-split',
].map(coreNode);

/** Waits for a node to emit `input` once (e.g. a helper node), or rejects after `ms`. */
export function nextInput(node: Node, ms = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message reached ${node.id} within ${ms} ms`)), ms);
    node.once('input', (msg: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects `count` messages arriving at a node. */
export function inputs(node: Node, count: number, ms = 10000): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const got: Record<string, unknown>[] = [];
    const timer = setTimeout(
      () => reject(new Error(`only ${got.length}/${count} messages reached ${node.id}`)),
      ms,
    );
    const onInput = (msg: Record<string, unknown>): void => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        node.removeListener('input', onInput);
        resolve(got);
      }
    };
    node.on('input', onInput);
  });
}
