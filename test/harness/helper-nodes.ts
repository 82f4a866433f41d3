/**
 * The harness's helper node types, loaded by the embedded runtime from <userDir>/nodes (see
 * run-registry.ts for what the driver and the sinks do, and naive-downlink below).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { request } from 'undici';
import { drivers, outcome, runs, statusTexts, type OutcomeKind } from './run-registry';

interface SinkDef extends NodeDef {
  kind?: OutcomeKind | 'status';
}

interface NaiveDef extends NodeDef {
  apiUrl: string;
  tokenUrl: string;
  tokenBody: string;
}

export = function (RED: NodeAPI): void {
  function HarnessDriver(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    drivers.set(def.id, this);
    this.on('close', () => {
      if (drivers.get(def.id) === this) drivers.delete(def.id);
      for (const run of runs.values()) if (run.driver === this) run.driverClosed = true;
    });
  }
  function HarnessSink(this: Node, def: SinkDef): void {
    RED.nodes.createNode(this, def);
    const kind = def.kind ?? 'ok';
    this.on('input', (msg, _send, done) => {
      const record = msg as unknown as Record<string, unknown>;
      if (kind === 'status') {
        const status = record.status as { text?: unknown } | undefined;
        if (typeof status?.text === 'string') statusTexts.push(status.text);
      } else outcome(kind, record);
      done();
    });
  }
  RED.nodes.registerType('harness-driver', HarnessDriver);
  RED.nodes.registerType('harness-sink', HarnessSink);
  RED.nodes.registerType('harness-naive-downlink', NaiveDownlink(RED));
};

/** The naive reference node: await undici in the input handler, cached token, two status calls. */
function NaiveDownlink(RED: NodeAPI) {
  return function (this: Node, def: NaiveDef): void {
    RED.nodes.createNode(this, def);
    let token: Promise<string> | undefined;
    const getToken = (): Promise<string> =>
      (token ??= request(def.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: def.tokenBody,
      }).then(async (res) => ((await res.body.json()) as { access_token: string }).access_token));
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- deliberately the simplest node: the benchmark's reference
    this.on('input', async (msg, send, done) => {
      const m = msg as unknown as Record<string, unknown>;
      this.status({ fill: 'blue', shape: 'dot', text: RED._('common.status.connecting') });
      try {
        const url = `${def.apiUrl}/api/actuator/downlinks?port=${m.port}&externalReference=${m.externalReference}`;
        const res = await request(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await getToken()}`,
            'content-type': 'application/json',
            accept: 'application/vnd.kpnthings.actuator.v1.response+json',
          },
          body: JSON.stringify(m.records),
        });
        m.payload = await res.body.json();
        m.statusCode = res.statusCode;
        if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}`);
        this.status({ fill: 'green', shape: 'dot', text: RED._('common.status.ok') });
        send(msg);
        done();
      } catch (error) {
        this.status({ fill: 'red', shape: 'ring', text: RED._('common.status.error') });
        done(error as Error);
      }
    });
  };
}
