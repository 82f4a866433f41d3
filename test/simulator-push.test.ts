import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../lib/simulator';
import { parseArgs } from '../lib/simulator/cli';
import { javaDouble, packBody } from '../lib/simulator/push-packs';
import { createUplinkReceiver, type UplinkMessage } from '../lib/uplink';
import { verifyThingsMessageToken } from '../lib/uplink-signature';

const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const FAST = { retryDelaysMs: [5, 15] };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** A bare server answering with the next status of `statuses` (then 200), recording each request. */
async function recordingServer(statuses: number[] = []) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/uplink`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('simulator push (HTTPS destinations)', function () {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ deviceCount: 3 });
  });
  after(async () => {
    await sim.close();
  });

  it('writes Java-style numbers', () => {
    assert.equal(javaDouble(1766754820, 'e'), '1.76675482e9');
    assert.equal(javaDouble(3), '3.0');
    assert.equal(javaDouble(-87), '-87.0');
    assert.equal(javaDouble(21.5), '21.5');
    assert.equal(javaDouble(1766754821), '1.766754821E9');
    assert.equal(javaDouble(0.0001), '1.0E-4');
    assert.equal(javaDouble(0), '0.0');
  });

  it('builds every kind of pack as valid JSON with the numbers written verbatim', () => {
    const input = { devEUI: '0059AC0000000001', sequence: 1, timeSeconds: 1766754820 };
    const raw = packBody('raw', input);
    assert.match(raw, /"bt":1\.76675482e9,/);
    assert.match(raw, /"v":3\.0\}/);
    for (const kind of ['raw', 'extended', 'location', 'measurements'] as const) {
      assert.ok(Array.isArray(JSON.parse(packBody(kind, input))), kind);
    }
    assert.match(packBody('measurements', input), /\},\{"bu":"%","n":"battery"/);
  });

  it('pushes signed packs that the receiver resolves, end to end', async () => {
    const messages: UplinkMessage[] = [];
    const receiver = createUplinkReceiver({ sharedSecret: SECRET, onMessage: (m) => messages.push(...m) });
    const server = http.createServer(receiver);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kpn`;
    const destination = sim.addDestination({ url, secret: SECRET, ...FAST });
    try {
      for (const kind of ['raw', 'extended', 'location', 'measurements'] as const) {
        const result = await sim.pushUplink(destination.id, { kind });
        assert.equal(result.delivered, true, kind);
        assert.equal(result.attempts.length, 1);
      }
      assert.deepEqual(
        messages.map((m) => m.kind),
        ['uplink', 'uplink', 'location', 'uplink'],
      );
      const devEUIs = sim.devEUIs();
      assert.equal(messages[0].device?.id, devEUIs[0]);
      assert.equal(messages[1].device?.id, devEUIs[1]);
      assert.equal(messages[0].plugUUID, destination.plugUUID);
      assert.deepEqual(Object.keys(messages[0].payload as object), ['payload', 'port']);
      assert.equal(messages[1].lora?.fCnt, 2);
      assert.equal(messages[1].lora?.adr, true);
      assert.equal(messages[2].location?.origin, 'KPNLORA');
      assert.deepEqual(Object.keys(messages[3].payload as object), ['temperature', 'battery', 'humidity']);

      const forged = await sim.pushUplink(destination.id, { tamper: 'forged' });
      const tampered = await sim.pushUplink(destination.id, { tamper: 'tampered' });
      for (const result of [forged, tampered]) {
        assert.equal(result.delivered, false);
        assert.deepEqual(
          result.attempts.map((a) => [a.attempt, a.status]),
          [
            [1, 403],
            [2, 403],
            [3, 403],
          ],
        );
      }
      assert.equal(messages.length, 4);
      assert.equal(receiver.stats.rejected, 6);
    } finally {
      sim.removeDestination(destination.id);
      server.close();
      server.closeAllConnections();
    }
  });

  it('sends KPN headers, retries a non-2xx with the same bytes and growing delay, and records every attempt', async () => {
    const target = await recordingServer([500, 503]);
    const destination = sim.addDestination({ url: target.url, secret: SECRET, retryDelaysMs: [20, 60] });
    try {
      const result = await sim.pushUplink(destination.id, { kind: 'raw' });
      assert.equal(result.delivered, true);
      assert.deepEqual(
        result.attempts.map((a) => a.status),
        [500, 503, 200],
      );
      assert.equal(target.received.length, 3);
      const [first, second, third] = target.received;
      assert.ok(second.at - first.at >= 18 && third.at - second.at >= 55, 'the delay grows');
      for (const r of target.received) {
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['things-plug-uuid'], destination.plugUUID);
        assert.equal(r.headers['things-message-token'], result.messageId);
        assert.ok(r.body.equals(first.body), 'a retry is byte-identical');
        assert.ok(verifyThingsMessageToken(r.body, SECRET, result.messageId));
      }
      assert.equal(result.body, first.body.toString());
      assert.deepEqual(
        sim.pushAttempts(destination.id).map((a) => a.status),
        [500, 503, 200],
      );
    } finally {
      sim.removeDestination(destination.id);
      await target.close();
    }
  });

  it('a retry after a lost answer is recognised as a duplicate by the receiver', async () => {
    const messages: UplinkMessage[] = [];
    const receiver = createUplinkReceiver({ sharedSecret: SECRET, onMessage: (m) => messages.push(...m) });
    let first = true;
    // The flow got the message, but the answer is lost (here: a 502 from a proxy in front).
    const server = http.createServer((req, res) => {
      if (!first) return receiver(req, res);
      first = false;
      const fake = Object.create(res) as http.ServerResponse;
      receiver(req, Object.assign(fake, { writeHead: () => fake, end: () => res.writeHead(502).end() }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const destination = sim.addDestination({ url, secret: SECRET, ...FAST });
    try {
      const result = await sim.pushUplink(destination.id);
      assert.deepEqual(
        result.attempts.map((a) => a.status),
        [502, 200],
      );
      assert.equal(messages.length, 1);
      assert.equal(receiver.stats.duplicates, 1);
    } finally {
      sim.removeDestination(destination.id);
      server.close();
      server.closeAllConnections();
    }
  });

  it('records a connection failure as status 0 and gives up after three attempts', async () => {
    const target = await recordingServer();
    await target.close();
    const destination = sim.addDestination({ url: target.url, secret: SECRET, ...FAST });
    try {
      const result = await sim.pushUplink(destination.id);
      assert.equal(result.delivered, false);
      assert.equal(result.attempts.length, 3);
      assert.ok(result.attempts.every((a) => a.status === 0 && typeof a.error === 'string'));
    } finally {
      sim.removeDestination(destination.id);
    }
  });

  it('pushes on a timer with every', async () => {
    const target = await recordingServer();
    const destination = sim.addDestination({ url: target.url, secret: SECRET, every: '20ms', ...FAST });
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.ok(target.received.length >= 3, `got ${target.received.length}`);
      assert.equal(destination.everyMs, 20);
    } finally {
      assert.equal(sim.removeDestination(destination.id), true);
      await target.close();
    }
  });

  it('refuses non-loopback URLs, a missing secret and bad options, clearly', () => {
    assert.throws(() => sim.addDestination({ url: 'https://example.com/x', secret: SECRET }), /loopback/);
    assert.throws(() => sim.addDestination({ url: 'ftp://127.0.0.1/', secret: SECRET }), /http/);
    assert.throws(() => sim.addDestination({ url: 'http://127.0.0.1/', secret: '' }), /secret is required/);
    assert.throws(
      () => sim.addDestination({ url: 'http://127.0.0.1/', secret: SECRET, every: 'soon' }),
      /every must be a duration/,
    );
    assert.throws(
      () => sim.addDestination({ url: 'http://127.0.0.1/', secret: SECRET, retryDelaysMs: [1] }),
      /retryDelaysMs/,
    );
  });

  it('offers destinations over HTTP under /_sim, without the secret in answers or recordings', async () => {
    const target = await recordingServer();
    try {
      const created = await fetch(`${sim.apiUrl}/_sim/destinations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: target.url, secret: SECRET, retryDelaysMs: [5, 10] }),
      });
      assert.equal(created.status, 201);
      const info = (await created.json()) as { id: string };
      const list = await (await fetch(`${sim.apiUrl}/_sim/destinations`)).text();
      assert.ok(list.includes(info.id) && !list.includes(SECRET));
      const pushed = await fetch(`${sim.apiUrl}/_sim/destinations/${info.id}/push`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'location', tamper: 'tampered' }),
      });
      assert.equal(pushed.status, 200);
      const result = (await pushed.json()) as { delivered: boolean; kind: string };
      assert.equal(result.kind, 'location');
      const attempts = (await (
        await fetch(`${sim.apiUrl}/_sim/destinations/${info.id}/attempts`)
      ).json()) as unknown[];
      assert.equal(attempts.length, 1);
      const bad = await fetch(`${sim.apiUrl}/_sim/destinations`, {
        method: 'POST',
        body: JSON.stringify({ url: 'http://10.0.0.1/', secret: SECRET }),
      });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /loopback/);
      assert.equal(
        (await fetch(`${sim.apiUrl}/_sim/destinations/${info.id}`, { method: 'DELETE' })).status,
        204,
      );
      assert.equal(
        (await fetch(`${sim.apiUrl}/_sim/destinations/${info.id}`, { method: 'DELETE' })).status,
        404,
      );
      assert.ok(!JSON.stringify(sim.requests).includes(SECRET), 'the recorded requests redact the secret');
    } finally {
      await target.close();
    }
  });

  it('parses the CLI push flags', () => {
    assert.deepEqual(
      parseArgs(['--push-to', 'http://127.0.0.1:1880/kpn', '--secret', 'S', '--every', '5s']),
      {
        push: { url: 'http://127.0.0.1:1880/kpn', secret: 'S', every: 5000 },
      },
    );
    assert.deepEqual(
      parseArgs(['--push-to=http://127.0.0.1/', '--secret=S', '--push-kinds', 'raw,location']),
      {
        push: { url: 'http://127.0.0.1/', secret: 'S', every: 5000, kinds: ['raw', 'location'] },
      },
    );
    assert.throws(() => parseArgs(['--push-to', 'http://127.0.0.1/']), /--secret/);
    assert.throws(() => parseArgs(['--secret', 'S']), /--push-to/);
    assert.throws(() => parseArgs(['--push-to', 'u', '--secret', 'S', '--every', 'x']), /--every/);
    assert.throws(() => parseArgs(['--push-to', 'u', '--secret', 'S', '--push-kinds', 'raw,gps']), /gps/);
  });
});
