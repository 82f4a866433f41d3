/**
 * An embedded Node-RED runtime as users run it: RED.init with a temporary user directory holding this
 * package installed from its `npm pack` tarball (its dependency undici resolvable beside it), the
 * harness's helper nodes in <userDir>/nodes, flows deployed through the runtime API, the admin API on
 * an ephemeral 127.0.0.1 port, and every log line captured. Node-RED is a singleton per process, so
 * one runtime serves a whole test run or benchmark (sharedRuntime()).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports */

const ROOT = path.join(__dirname, '..', '..', '..');
export const PACKAGE_NAME = '@thingsflow/node-red-kpn-things';

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Credentials = Record<string, Record<string, string>>;

export interface LogEntry {
  level: number;
  type?: string;
  msg: string;
}

interface RedApi {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  httpNode: http.RequestListener;
  nodes: { getType(type: string): unknown };
  events: { once(event: string, listener: () => void): void };
  runtime: {
    flows: {
      setFlows(opts: {
        flows: { flows: FlowNode[]; credentials?: Credentials };
        deploymentType?: string;
      }): Promise<unknown>;
    };
  };
}

export class Runtime {
  readonly userDir: string;
  readonly logs: LogEntry[] = [];
  adminUrl = '';
  readonly #red: RedApi;
  readonly #server: http.Server;
  #deployed = '[]';

  private constructor(red: RedApi, server: http.Server, userDir: string) {
    this.#red = red;
    this.#server = server;
    this.userDir = userDir;
  }

  static async start(): Promise<Runtime> {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpn-harness-'));
    installPackage(userDir);
    installHelperNodes(userDir);
    const red = require('node-red') as RedApi;
    const server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/admin/') || url === '/admin') {
        req.url = url.slice('/admin'.length) || '/';
        red.httpAdmin(req, res);
      } else red.httpNode(req, res);
    });
    const runtime = new Runtime(red, server, userDir);
    red.init(server, {
      userDir,
      flowFile: 'flows.json',
      credentialSecret: 'harness-credential-secret',
      httpAdminRoot: '/admin',
      httpNodeRoot: '/',
      disableEditor: true,
      uiHost: '127.0.0.1',
      editorTheme: { tours: false },
      telemetry: { enabled: false, updateNotification: false },
      diagnostics: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      logging: {
        console: { level: 'off' },
        harness: {
          level: 'debug',
          metrics: false,
          audit: false,
          handler: () => (entry: { level: number; type?: string; msg: unknown }) => {
            const msg = entry.msg instanceof Error ? `${entry.msg.message}\n${entry.msg.stack}` : entry.msg;
            runtime.logs.push({
              level: entry.level,
              type: entry.type,
              msg: typeof msg === 'string' ? msg : JSON.stringify(msg),
            });
          },
        },
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    runtime.adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    const started = new Promise<void>((resolve) => red.events.once('flows:started', resolve));
    await red.start();
    await started;
    const missing = ['kpn-things-config', 'kpn-things-downlink', 'harness-driver'].filter(
      (type) => !red.nodes.getType(type),
    );
    if (missing.length > 0) {
      const log = runtime.logs.map((entry) => entry.msg).join('\n');
      throw new Error(`node types not registered: ${missing.join(', ')}\n${log}`);
    }
    return runtime;
  }

  /**
   * Deploys flows (a full deploy: every node restarts) through the runtime API. A flow that differs
   * from the deployed one replaces an empty deployment: Node-RED 4.1's full deploy of a changed flow
   * can fail to start ("Cannot read properties of undefined (reading 'wires')" in Flow.start, a
   * rewired node of the old flow), which a user never meets because the editor deploys one flow.
   */
  async deploy(flows: FlowNode[], credentials: Credentials = {}): Promise<void> {
    const shape = JSON.stringify(flows);
    if (this.#deployed !== '[]' && shape !== '[]' && shape !== this.#deployed) await this.#setFlows([], {});
    await this.#setFlows(flows, credentials);
    this.#deployed = shape;
  }

  async #setFlows(flows: FlowNode[], credentials: Credentials): Promise<void> {
    const started = new Promise<void>((resolve) => this.#red.events.once('flows:started', resolve));
    await this.#red.runtime.flows.setFlows({ flows: { flows, credentials }, deploymentType: 'full' });
    await started;
  }

  async stop(): Promise<void> {
    await this.deploy([]);
    await this.#red.stop();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

let packed: string | undefined;

/** `npm pack` of this repo (built dist/ expected), extracted once per process; returns the package dir. */
function packedPackage(): string {
  if (packed && fs.existsSync(packed)) return packed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpn-harness-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  execFileSync('tar', ['-xzf', path.join(dir, path.basename(filename)), '-C', dir]);
  packed = path.join(dir, 'package');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return packed;
}

function installPackage(userDir: string): void {
  const modules = path.join(userDir, 'node_modules');
  const target = path.join(modules, ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(packedPackage(), target, { recursive: true });
  // Its one dependency, resolvable from the package as npm would place it.
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'undici'), path.join(modules, 'undici'), 'dir');
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, dependencies: { [PACKAGE_NAME]: '*' } }),
  );
}

function installHelperNodes(userDir: string): void {
  const nodes = path.join(userDir, 'nodes');
  fs.mkdirSync(nodes, { recursive: true });
  const helper = path.join(__dirname, 'helper-nodes.js');
  fs.writeFileSync(
    path.join(nodes, 'harness-nodes.js'),
    `module.exports = require(${JSON.stringify(helper)});\n`,
  );
  const types = ['harness-driver', 'harness-sink', 'harness-naive-downlink'];
  fs.writeFileSync(
    path.join(nodes, 'harness-nodes.html'),
    `<script type="text/javascript">\n${types
      .map(
        (t) =>
          `RED.nodes.registerType('${t}', { category: 'function', defaults: {}, inputs: 1, outputs: 1 });`,
      )
      .join('\n')}\n</script>\n`,
  );
}

let shared: Promise<Runtime> | undefined;

/** The one runtime of this process, started on first use. */
export function sharedRuntime(): Promise<Runtime> {
  shared ??= Runtime.start();
  return shared;
}

/** Stops the shared runtime if it was started. */
export async function stopSharedRuntime(): Promise<void> {
  if (!shared) return;
  const runtime = await shared;
  shared = undefined;
  await runtime.stop();
}
