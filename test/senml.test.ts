import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  buildDownlinkRecords,
  deviceUrn,
  parseDeviceUrn,
  resolveSenml,
  toUplinkObject,
  validateSenmlRecords,
} from '../lib/senml';
import type { SenmlRecord } from '../lib/types';
import { ValidationError } from '../lib/validate';

/** The uplink of the API doc's signature test vector (section 4). */
const VECTOR =
  '[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","bt":1700000000},{"n":"payload","vs":"0102ab"},{"n":"port","v":1}]';

function senmlThrows(value: unknown, field: string, message?: RegExp): ValidationError {
  let caught: unknown;
  try {
    validateSenmlRecords(value);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError for ${JSON.stringify(value)}`);
  assert.equal(caught.code, 'invalid_senml');
  assert.equal(caught.field, field);
  assert.ok(caught.message.startsWith(`${field} `), caught.message);
  assert.ok(caught.message.endsWith(caught.fix));
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('senml', () => {
  describe('deviceUrn / buildDownlinkRecords', () => {
    it('builds the KPN device URNs', () => {
      assert.equal(deviceUrn('DEVEUI', '0123456789ABCDEF'), 'urn:dev:DEVEUI:0123456789ABCDEF:');
      assert.equal(deviceUrn('IMEI', '123456789012345'), 'urn:dev:IMEI:123456789012345:');
      assert.equal(
        deviceUrn('DVNUUID', '123e4567-e89b-12d3-a456-426614174000'),
        'urn:dev:DVNUUID:123e4567-e89b-12d3-a456-426614174000:',
      );
    });

    it('builds the documented raw downlink body', () => {
      assert.equal(
        JSON.stringify(buildDownlinkRecords('0123456789ABCDEF', '0102AB')),
        '[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","n":"payloadHex","vs":"0102AB"}]',
      );
    });

    it('property: downlink records validate and resolve to payloadHex of the device', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.uint8Array({ minLength: 1, maxLength: 51 }),
          (eui, p) => {
            const devEUI = Buffer.from(eui).toString('hex').toUpperCase();
            const hex = Buffer.from(p).toString('hex').toUpperCase();
            const records = validateSenmlRecords(buildDownlinkRecords(devEUI, hex));
            const up = toUplinkObject(records);
            assert.deepEqual(up.device, { kind: 'DEVEUI', id: devEUI });
            assert.deepEqual(up.values, { payloadHex: hex });
          },
        ),
      );
    });
  });

  describe('validateSenmlRecords', () => {
    it('accepts the test vector uplink and returns copies of the known fields', () => {
      const input: unknown = JSON.parse(VECTOR);
      const out = validateSenmlRecords(input);
      assert.deepEqual(out, input);
      assert.notEqual(out[0], (input as unknown[])[0]);
    });

    it('accepts every field with its type and drops unknown ones', () => {
      const out = validateSenmlRecords([
        {
          bn: 'urn:dev:IMEI:1:',
          bt: 1,
          bu: 'Cel',
          bver: 10,
          n: 'a',
          u: 'm',
          v: 1.5,
          s: 2,
          t: -1,
          ut: 5,
          extra: 'x',
        },
        { n: 'b', vs: 'x' },
        { n: 'c', vb: false },
        { n: 'd', vd: 'AQI' },
      ]);
      assert.deepEqual(out, [
        { bn: 'urn:dev:IMEI:1:', bt: 1, bu: 'Cel', n: 'a', u: 'm', v: 1.5, s: 2, t: -1 },
        { n: 'b', vs: 'x' },
        { n: 'c', vb: false },
        { n: 'd', vd: 'AQI' },
      ]);
    });

    it('refuses anything but a non-empty array', () => {
      senmlThrows({ n: 'a', v: 1 }, 'records', /is an object/);
      senmlThrows('[]', 'records', /is a string/);
      senmlThrows(null, 'records', /is null/);
      senmlThrows(undefined, 'records', /is missing/);
      senmlThrows([], 'records', /empty array/);
    });

    it('refuses records that are not objects, naming the index', () => {
      senmlThrows([{ n: 'a', v: 1 }, null], 'records[1]', /is null/);
      senmlThrows([[{ n: 'a' }]], 'records[0]', /is an array/);
      senmlThrows([{ n: 'a', v: 1 }, 'x'], 'records[1]', /is a string/);
    });

    it('refuses wrongly typed fields, naming index and field', () => {
      const cases: [SenmlRecord | Record<string, unknown>, string][] = [
        [{ bn: 1 }, 'bn'],
        [{ n: 'a', bt: '1' }, 'bt'],
        [{ n: 'a', bu: 5 }, 'bu'],
        [{ n: 1 }, 'n'],
        [{ n: 'a', u: true }, 'u'],
        [{ n: 'a', v: '21.5' }, 'v'],
        [{ n: 'a', vs: 1 }, 'vs'],
        [{ n: 'a', vb: 'true' }, 'vb'],
        [{ n: 'a', vd: [] }, 'vd'],
        [{ n: 'a', s: null }, 's'],
        [{ n: 'a', t: '0' }, 't'],
        [{ n: 'a', bver: '10' }, 'bver'],
      ];
      for (const [record, key] of cases)
        senmlThrows([{ n: 'ok', v: 0 }, record], `records[1].${key}`, /must be a/);
    });

    it('refuses non-finite numbers', () => {
      senmlThrows([{ n: 'a', v: NaN }], 'records[0].v', /finite/);
      senmlThrows([{ n: 'a', t: Infinity }], 'records[0].t', /finite/);
    });

    it('refuses more than one value field', () => {
      senmlThrows([{ n: 'a', v: 1, vs: '1' }], 'records[0].vs', /conflicts with "v"/);
      senmlThrows([{ n: 'a', vb: true, vd: 'AA' }], 'records[0].vd', /conflicts with "vb"/);
    });

    it('refuses records without a name', () => {
      senmlThrows([{ v: 1 }], 'records[0].n', /missing and no base name/);
      senmlThrows([{ n: '', v: 1 }], 'records[0].n', /empty/);
      senmlThrows([{ bn: '', n: '', v: 1 }], 'records[0].n');
      // A base name from an earlier record applies.
      assert.equal(validateSenmlRecords([{ bn: 'x:' }, { v: 1 }]).length, 2);
    });

    it('refuses base value / base sum and must-understand extensions', () => {
      senmlThrows([{ n: 'a', bv: 1, v: 1 }], 'records[0].bv', /not supported/);
      senmlThrows([{ n: 'a', bs: 1, s: 1 }], 'records[0].bs', /not supported/);
      senmlThrows([{ n: 'a', v: 1, foo_: 1 }], 'records[0].foo_', /must-understand/);
    });

    it('accepts and keeps bv / bs with baseValues, still type-checked', () => {
      assert.deepEqual(
        validateSenmlRecords([{ bn: 'a:', bv: 10, bs: 1, n: 'x', v: 1 }], 'records', { baseValues: true }),
        [{ bn: 'a:', bv: 10, bs: 1, n: 'x', v: 1 }],
      );
      for (const bad of ['1', null, Infinity]) {
        let caught: unknown;
        try {
          validateSenmlRecords([{ n: 'a', bv: bad }], 'records', { baseValues: true });
        } catch (err) {
          caught = err;
        }
        assert.ok(caught instanceof ValidationError);
        assert.equal(caught.field, 'records[0].bv');
      }
    });

    it('uses the given field name', () => {
      let caught: unknown;
      try {
        validateSenmlRecords([1], 'msg.payload');
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ValidationError);
      assert.equal(caught.field, 'msg.payload[0]');
    });
  });

  describe('resolveSenml', () => {
    it('resolves the test vector', () => {
      assert.deepEqual(resolveSenml(validateSenmlRecords(JSON.parse(VECTOR))), [
        { name: 'urn:dev:DEVEUI:0123456789ABCDEF:', time: 1700000000 },
        {
          name: 'urn:dev:DEVEUI:0123456789ABCDEF:payload',
          time: 1700000000,
          value: '0102ab',
          valueField: 'vs',
        },
        { name: 'urn:dev:DEVEUI:0123456789ABCDEF:port', time: 1700000000, value: 1, valueField: 'v' },
      ]);
    });

    it('carries base fields forward until redefined and prefers u over bu', () => {
      const out = resolveSenml([
        { bn: 'a:', bt: 100, bu: 'Cel', n: 'x', v: 1, t: 5 },
        { n: 'y', u: '%', v: 2, s: 7 },
        { bn: 'b:', bt: 200, n: 'z', vb: true },
        { n: 'w', vd: 'AA', t: -10 },
      ]);
      assert.deepEqual(out, [
        { name: 'a:x', time: 105, unit: 'Cel', value: 1, valueField: 'v' },
        { name: 'a:y', time: 100, unit: '%', value: 2, valueField: 'v', sum: 7 },
        { name: 'b:z', time: 200, unit: 'Cel', value: true, valueField: 'vb' },
        { name: 'b:w', time: 190, unit: 'Cel', value: 'AA', valueField: 'vd' },
      ]);
      assert.deepEqual(resolveSenml([{ n: 'n', t: 3 }]), [{ name: 'n', time: 3 }]);
      assert.deepEqual(resolveSenml([{ n: 'n' }]), [{ name: 'n' }]);
    });

    it('applies base values that appear in a record in the middle of a pack', () => {
      const records = validateSenmlRecords(
        JSON.parse(
          '[{"bn":"urn:dev:IMEI:1:","n":"a","v":1.5E+0},' +
            '{"bt":1.320078429E+09,"bu":"Cel","bv":20.0,"bs":100,"n":"b","v":1.5,"t":-1.5},' +
            '{"n":"c","v":2,"s":5},{"bn":"x:","bv":0,"n":"d","vs":"s","t":0.25}]',
        ),
        'records',
        { baseValues: true },
      );
      assert.deepEqual(resolveSenml(records), [
        { name: 'urn:dev:IMEI:1:a', value: 1.5, valueField: 'v' },
        { name: 'urn:dev:IMEI:1:b', time: 1320078427.5, unit: 'Cel', value: 21.5, valueField: 'v', sum: 100 },
        { name: 'urn:dev:IMEI:1:c', time: 1320078429, unit: 'Cel', value: 22, valueField: 'v', sum: 105 },
        { name: 'x:d', time: 1320078429.25, unit: 'Cel', value: 's', valueField: 'vs', sum: 100 },
      ]);
    });

    it('property: name = bn + n and time = bt + t with base fields carried forward', () => {
      const record = fc.record(
        {
          bn: fc.string({ maxLength: 12 }),
          bt: fc.integer({ min: 0, max: 2_000_000_000 }),
          bu: fc.constantFrom('Cel', '%', 'm'),
          n: fc.string({ minLength: 1, maxLength: 12 }),
          u: fc.constantFrom('lat', 'lon'),
          t: fc.integer({ min: -1000, max: 1000 }),
          v: fc.double({ noNaN: true, noDefaultInfinity: true }),
        },
        { requiredKeys: ['n'] },
      );
      fc.assert(
        fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
          const validated = validateSenmlRecords(records);
          const resolved = resolveSenml(validated);
          assert.equal(resolved.length, records.length);
          let bn = '';
          let bt: number | undefined;
          let bu: string | undefined;
          records.forEach((r, i) => {
            bn = r.bn ?? bn;
            bt = r.bt ?? bt;
            bu = r.bu ?? bu;
            assert.equal(resolved[i].name, bn + r.n);
            const time = bt === undefined && r.t === undefined ? undefined : (bt ?? 0) + (r.t ?? 0);
            assert.equal(resolved[i].time, time);
            assert.equal(resolved[i].unit, r.u ?? bu);
            assert.equal(resolved[i].value, r.v);
          });
        }),
      );
    });
  });

  describe('parseDeviceUrn', () => {
    it('parses the three kinds and refuses others', () => {
      assert.deepEqual(parseDeviceUrn('urn:dev:DEVEUI:0123456789ABCDEF:temperature'), {
        kind: 'DEVEUI',
        id: '0123456789ABCDEF',
        rest: 'temperature',
      });
      assert.deepEqual(parseDeviceUrn('urn:dev:imei:123:'), { kind: 'IMEI', id: '123', rest: '' });
      assert.equal(parseDeviceUrn('urn:dev:DVNUUID:abc:x')?.kind, 'DVNUUID');
      assert.equal(parseDeviceUrn('urn:dev:MAC:00:x'), undefined);
      assert.equal(parseDeviceUrn('temperature'), undefined);
    });
  });

  describe('toUplinkObject', () => {
    it('makes a friendly object of the test vector', () => {
      const up = toUplinkObject(validateSenmlRecords(JSON.parse(VECTOR)));
      assert.deepEqual(up.device, { kind: 'DEVEUI', id: '0123456789ABCDEF' });
      assert.equal(up.time, 1700000000);
      assert.deepEqual(up.values, { payload: '0102ab', port: 1 });
      assert.equal(up.records.length, 3);
    });

    it('maps measurements and geolocation, first value wins', () => {
      const up = toUplinkObject([
        { bn: 'urn:dev:IMEI:123456789012345:', bt: 1700000000, n: 'temperature', u: 'Cel', v: 21.5 },
        { n: 'latitude', u: 'lat', v: 52.1 },
        { n: 'longitude', u: 'lon', v: 5.1 },
        { n: 'locOrigin', vs: 'KPNLORA' },
        { n: 'temperature', v: 22, t: 60 },
        { bn: 'urn:dev:DEVEUI:0011223344556677:', n: 'battery', v: 90 },
        { bn: 'other:', n: 'x', vb: true },
      ]);
      assert.deepEqual(up.device, { kind: 'IMEI', id: '123456789012345' });
      assert.equal(up.time, 1700000000);
      assert.deepEqual(up.values, {
        temperature: 21.5,
        latitude: 52.1,
        longitude: 5.1,
        locOrigin: 'KPNLORA',
        'urn:dev:DEVEUI:0011223344556677:battery': 90,
        'other:x': true,
      });
    });

    it('handles packs without a device urn or time', () => {
      const up = toUplinkObject([{ n: 'a', v: 1 }, { n: 'b' }]);
      assert.equal(up.device, undefined);
      assert.equal(up.time, undefined);
      assert.deepEqual(up.values, { a: 1 });
      assert.ok(!('device' in up) && !('time' in up));
    });

    it('takes the time of the first record that has one', () => {
      assert.equal(
        toUplinkObject([
          { n: 'a', v: 1 },
          { n: 'b', v: 2, t: 5 },
        ]).time,
        5,
      );
    });

    it('keeps a "__proto__" measurement as data', () => {
      const up = toUplinkObject(
        validateSenmlRecords(
          JSON.parse('[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","n":"__proto__","vs":"x"}]'),
        ),
      );
      assert.equal(Object.getPrototypeOf(up.values), Object.prototype);
      assert.deepEqual(Object.keys(up.values), ['__proto__']);
      assert.equal(Object.getOwnPropertyDescriptor(up.values, '__proto__')?.value, 'x');
    });

    it('property: values hold each measurement of the device by short name', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.dictionary(
            fc.string({ minLength: 1, maxLength: 10, unit: fc.constantFrom(...'abcdefxyz_') }),
            fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean()),
            { minKeys: 1 },
          ),
          (eui, measurements) => {
            const id = Buffer.from(eui).toString('hex').toUpperCase();
            const records: SenmlRecord[] = [{ bn: deviceUrn('DEVEUI', id), bt: 1 }];
            for (const [n, value] of Object.entries(measurements)) {
              if (typeof value === 'number') records.push({ n, v: value });
              else if (typeof value === 'string') records.push({ n, vs: value });
              else records.push({ n, vb: value });
            }
            const up = toUplinkObject(validateSenmlRecords(records));
            assert.deepEqual(up.device, { kind: 'DEVEUI', id });
            assert.equal(up.time, 1);
            assert.deepEqual(up.values, { ...measurements });
          },
        ),
      );
    });
  });
});
