import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { interpretJson, parseDeviceName, senmlTime, toUplinkMessages } from '../lib/uplink/message';

const ID = 'a'.repeat(64);
const NOW = Date.UTC(2026, 0, 1);

function fromText(text: string, split: 'pack' | 'device' = 'pack') {
  return toUplinkMessages(interpretJson(JSON.parse(text)), {
    messageId: ID,
    plugUUID: 'plug-1',
    split,
    now: NOW,
  });
}

describe('uplink message', () => {
  it('maps the raw LoRa pack with Java-style numbers', () => {
    const [msg, ...rest] = fromText(
      '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.76675482e9,"n":"payload","vs":"1b0c"},' +
        '{"n":"port","v":3.0},{"n":"timeOrigin","vs":"NETWORK"}]',
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(msg.payload, { payload: '1b0c', port: 3 });
    assert.deepEqual(msg.device, {
      urn: 'urn:dev:DEVEUI:0059AC0000000001:',
      type: 'DEVEUI',
      id: '0059AC0000000001',
    });
    assert.deepEqual(msg.time, { iso: '2025-12-26T13:13:40.000Z', ms: 1766754820000, origin: 'NETWORK' });
    assert.equal(msg.kind, 'uplink');
    assert.equal(msg.messageId, ID);
    assert.equal(msg.plugUUID, 'plug-1');
    assert.equal(msg.senml?.length, 3);
    assert.deepEqual(msg.senml?.[1], { n: 'port', v: 3 });
    assert.equal(msg.lora, undefined);
    assert.equal(msg.location, undefined);
  });

  it('maps the Extended decoder metadata to msg.lora', () => {
    const [msg] = fromText(
      '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.7e9,"n":"payload","vs":"01"},{"n":"port","v":10.0},' +
        '{"n":"FCntUp","v":42.0},{"n":"FCntDn","v":7},{"n":"LrrRSSI","v":-101.0},{"n":"LrrSNR","v":-2.5},' +
        '{"n":"LrrESP","v":-104.6},{"n":"DevLrrCnt","v":2},{"n":"SpFact","v":12},{"n":"SubBand","vs":"G1"},' +
        '{"n":"Channel","vs":"LC3"},{"n":"ADRbit","v":0}]',
    );
    assert.deepEqual(msg.payload, { payload: '01', port: 10 });
    assert.deepEqual(msg.lora, {
      fCnt: 42,
      fCntDn: 7,
      rssi: -101,
      snr: -2.5,
      esp: -104.6,
      gatewayCount: 2,
      sf: 12,
      subBand: 'G1',
      channel: 'LC3',
      adr: false,
      port: 10,
    });
    assert.equal(msg.kind, 'uplink');
  });

  it('maps a geolocation pack to msg.location, also with an old millisecond locTime string', () => {
    const [msg] = fromText(
      '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.7e9,"n":"latitude","u":"lat","v":52.09},' +
        '{"n":"longitude","u":"lon","v":5.12},{"n":"radius","u":"m","v":150.0},{"n":"locOrigin","vs":"KPNLORA"},' +
        '{"n":"locMethod","vs":"TDOA"},{"n":"locAccuracy","v":0.8},{"n":"locPrecision","v":2.5},' +
        '{"n":"locTime","vs":"1700000000123"}]',
    );
    assert.equal(msg.kind, 'location');
    assert.deepEqual(msg.location, {
      latitude: 52.09,
      longitude: 5.12,
      radius: 150,
      origin: 'KPNLORA',
      method: 'TDOA',
      accuracy: 0.8,
      precision: 2.5,
      time: { iso: '2023-11-14T22:13:20.123Z', ms: 1700000000123 },
    });
    const [seconds] = fromText(
      '[{"bn":"urn:dev:IMEI:123456789012345:","n":"latitude","v":1},{"n":"longitude","v":2},{"n":"locTime","v":1.7e9}]',
    );
    assert.deepEqual(seconds.location?.time, { iso: '2023-11-14T22:13:20.000Z', ms: 1700000000000 });
    assert.equal(seconds.device?.type, 'IMEI');
  });

  it('resolves decoded measurements with base values in a later record', () => {
    const [msg] = fromText(
      '[{"bn":"urn:dev:DVNUUID:123e4567-e89b-12d3-a456-426614174000:","n":"temperature","u":"Cel","v":2.15E+1},' +
        '{"bt":1.320078429E+09,"bu":"%","n":"battery","v":87},{"bv":1000,"n":"pressure","v":13.25,"t":1.5}]',
    );
    assert.deepEqual(msg.payload, { temperature: 21.5, battery: 87, pressure: 1013.25 });
    assert.equal(msg.device?.type, 'DVNUUID');
    assert.equal(msg.device?.id, '123e4567-e89b-12d3-a456-426614174000');
    assert.equal(msg.time?.ms, 1320078429000);
    assert.equal(msg.kind, 'uplink');
  });

  it('gives one message per pack (other devices by full name) or one per device', () => {
    const text =
      '[{"bn":"urn:dev:DEVEUI:0000000000000001:","bt":1.7e9,"n":"temperature","v":20},' +
      '{"bn":"urn:dev:DEVEUI:0000000000000002:","n":"temperature","v":21,"t":5},' +
      '{"bn":"urn:dev:DEVEUI:0000000000000001:","n":"battery","v":90}]';
    const [pack, ...none] = fromText(text);
    assert.equal(none.length, 0);
    assert.equal(pack.device?.id, '0000000000000001');
    assert.deepEqual(pack.payload, {
      temperature: 20,
      'urn:dev:DEVEUI:0000000000000002:temperature': 21,
      battery: 90,
    });
    const perDevice = fromText(text, 'device');
    assert.equal(perDevice.length, 2);
    assert.deepEqual(perDevice[0].payload, { temperature: 20, battery: 90 });
    assert.equal(perDevice[0].senml?.length, 2);
    assert.deepEqual(perDevice[1].payload, { temperature: 21 });
    assert.equal(perDevice[1].device?.id, '0000000000000002');
    assert.equal(perDevice[1].time?.ms, 1700000005000);
    for (const m of perDevice) assert.equal(m.messageId, ID);
  });

  it('passes a body that is not SenML through, without senml', () => {
    for (const value of [{ temperature: 21 }, [], [1, 2], [{ n: 'a', v: 'x' }], 'text', 5, null]) {
      const [msg] = toUplinkMessages(interpretJson(value), { messageId: ID });
      assert.deepEqual(msg.payload, value);
      assert.equal(msg.kind, 'other');
      assert.ok(!('senml' in msg));
      assert.ok(!('device' in msg) && !('plugUUID' in msg));
    }
  });

  it('treats times below 2^28 s as relative to now (RFC 8428)', () => {
    assert.equal(senmlTime(-60, NOW)?.ms, NOW - 60_000);
    assert.equal(senmlTime(1.7e9, NOW)?.ms, 1.7e12);
    assert.equal(senmlTime(1e20, NOW), undefined);
    const [msg] = fromText('[{"bn":"urn:dev:IMEI:1:","n":"a","v":1,"t":-5}]');
    assert.equal(msg.time?.ms, NOW - 5000);
  });

  it('keeps a "__proto__" measurement as data, and a pack without values is "other"', () => {
    const [msg] = fromText('[{"bn":"urn:dev:DEVEUI:0000000000000001:","n":"__proto__","vs":"x"}]');
    const payload = msg.payload as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(payload), Object.prototype);
    assert.deepEqual(Object.keys(payload), ['__proto__']);
    const [empty] = fromText('[{"bn":"urn:dev:DEVEUI:0000000000000001:","bt":1.7e9}]');
    assert.equal(empty.kind, 'other');
    assert.deepEqual(empty.payload, {});
  });

  it('parses any RFC 9039 device type', () => {
    assert.deepEqual(parseDeviceName('urn:dev:mac:0024befffe804ff1:temp'), {
      device: { urn: 'urn:dev:mac:0024befffe804ff1:', type: 'MAC', id: '0024befffe804ff1' },
      rest: 'temp',
    });
    assert.equal(parseDeviceName('temperature'), undefined);
  });

  it('property: any numeric measurements of a device come back by short name', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...'abcxyz') }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          { minKeys: 1 },
        ),
        fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
        (values, bt) => {
          const records = Object.entries(values).map(([n, v], i) =>
            i === 0 ? { bn: 'urn:dev:DEVEUI:0000000000000001:', bt, n, v } : { n, v },
          );
          const [msg] = toUplinkMessages(interpretJson(JSON.parse(JSON.stringify(records))), {
            messageId: ID,
          });
          assert.deepEqual(msg.payload, JSON.parse(JSON.stringify(values)));
          assert.equal(msg.time?.ms, bt * 1000);
        },
      ),
    );
  });
});
