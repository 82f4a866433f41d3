import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ThingsError } from '../lib/errors';
import {
  ValidationError,
  type ValidationErrorCode,
  checkSharedSecret,
  normalizeDevEUI,
  normalizeExternalReference,
  normalizeIsoDateTime,
  normalizeLimit,
  normalizePayloadHex,
  normalizePort,
  normalizeUuid,
  optional,
  payloadSizeWarning,
  preview,
} from '../lib/validate';

/** Asserts that `fn` throws a ValidationError for `field` with `code` and a message naming the field. */
function throwsValidation(fn: () => unknown, field: string, code: ValidationErrorCode): ValidationError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'ValidationError');
  assert.equal(caught.field, field);
  assert.equal(caught.code, code);
  assert.ok(caught.message.startsWith(`${field} `), `message should name ${field}: ${caught.message}`);
  assert.ok(caught.fix.length > 0);
  assert.ok(caught.message.endsWith(caught.fix), 'message should end with the fix');
  assert.equal(caught.hint, `input.${code}`, 'the hint is a catalogue code');
  assert.equal(caught.hintParams?.field, field);
  assert.equal(caught.kind, 'validation');
  assert.ok(/[.)]$/.test(caught.message), `message should be one full sentence: ${caught.message}`);
  assert.ok(!caught.message.includes('\n'));
  assert.ok(caught.value.length <= 60, 'value is a short preview');
  return caught;
}

const hexByte = (b: number): string => b.toString(16).padStart(2, '0');

describe('validate', () => {
  describe('ValidationError', () => {
    it('keeps a short preview of large values, not the value itself', () => {
      const big = 'x'.repeat(10_000);
      const err = new ValidationError({
        field: 'payload',
        code: 'invalid_payload',
        value: big,
        problem: 'p',
        hint: 'h.',
      });
      assert.ok(err.value.length < 50);
      assert.equal(err.message, 'payload p; h.');
      assert.equal(err.fix, 'h.');
      assert.equal(err.hint, 'input.invalid_payload');
      assert.ok(err instanceof ThingsError, 'one error family');
      assert.equal(err.status, 400);
      assert.equal(err.problem.field, 'payload');
      assert.ok(err.stack);
    });

    it('previews values of every type briefly', () => {
      assert.equal(preview('abc'), '"abc"');
      assert.equal(preview(12), '12');
      assert.equal(preview(true), 'true');
      assert.equal(preview(10n), '10n');
      assert.equal(preview(undefined), 'undefined');
      assert.equal(preview(null), 'null');
      assert.equal(preview(new Date(0)), '1970-01-01T00:00:00.000Z');
      assert.equal(preview(new Date(NaN)), 'Invalid Date');
      assert.equal(preview(Buffer.alloc(3)), '<Buffer of 3 bytes>');
      assert.equal(preview(new Uint8Array(2)), '<Uint8Array of 2 bytes>');
      assert.equal(preview([1, 2]), '<array of 2 items>');
      assert.equal(preview({ a: 1 }), '<object>');
      assert.equal(
        preview(() => 1),
        '<function>',
      );
      assert.equal(preview(Symbol('s')), '<symbol>');
    });
  });

  describe('optional', () => {
    it('skips undefined, null and empty text', () => {
      for (const v of [undefined, null, ''])
        assert.equal(
          optional(v, (x) => normalizePort(x)),
          undefined,
        );
      assert.equal(
        optional('7', (x) => normalizePort(x)),
        7,
      );
    });
  });

  describe('normalizeDevEUI', () => {
    it('accepts the documented forms', () => {
      const expected = '0123456789ABCDEF';
      for (const input of [
        '0123456789ABCDEF',
        '0123456789abcdef',
        ' 0123456789abcdef\n',
        '01:23:45:67:89:ab:cd:ef',
        '01-23-45-67-89-AB-CD-EF',
        '01 23 45 67 89 AB CD EF',
        'urn:dev:DEVEUI:0123456789ABCDEF:',
        'urn:dev:deveui:0123456789abcdef',
        'URN:DEV:DEVEUI:01-23-45-67-89-AB-CD-EF:',
      ]) {
        assert.equal(normalizeDevEUI(input), expected, input);
      }
    });

    it('explains a wrong length', () => {
      const err = throwsValidation(() => normalizeDevEUI('12345'), 'devEUI', 'invalid_deveui');
      assert.equal(
        err.message,
        'devEUI "12345" is 5 hex digits long; a DevEUI has exactly 16 hex digits (e.g. 0123456789ABCDEF).',
      );
      assert.equal(err.value, '"12345"');
      throwsValidation(() => normalizeDevEUI('0123456789ABCDEF00'), 'devEUI', 'invalid_deveui');
      assert.match(
        throwsValidation(() => normalizeDevEUI('A'), 'devEUI', 'invalid_deveui').message,
        /1 hex digit long/,
      );
      throwsValidation(() => normalizeDevEUI('urn:dev:DEVEUI::'), 'devEUI', 'invalid_deveui');
    });

    it('names the non-hex character', () => {
      const err = throwsValidation(() => normalizeDevEUI('0123456789ABCDEG'), 'devEUI', 'invalid_deveui');
      assert.match(err.message, /"G", which is not a hex digit/);
      throwsValidation(() => normalizeDevEUI('0x0123456789ABCDEF'), 'devEUI', 'invalid_deveui');
      throwsValidation(() => normalizeDevEUI('01_23_45_67_89_AB_CD_EF'), 'devEUI', 'invalid_deveui');
    });

    it('refuses other kinds of device URN', () => {
      const err = throwsValidation(
        () => normalizeDevEUI('urn:dev:IMEI:123456789012345:'),
        'devEUI',
        'invalid_deveui',
      );
      assert.match(err.message, /urn:dev:IMEI URN, not a DevEUI/);
    });

    it('refuses non-strings and empty text, using the given field name', () => {
      for (const v of [undefined, null, 123, 0x0123456789abcdefn, {}, [], Buffer.alloc(8)]) {
        throwsValidation(() => normalizeDevEUI(v), 'devEUI', 'invalid_deveui');
      }
      assert.match(
        throwsValidation(() => normalizeDevEUI(undefined), 'devEUI', 'invalid_deveui').message,
        /missing/,
      );
      assert.match(
        throwsValidation(() => normalizeDevEUI('  '), 'devEUI', 'invalid_deveui').message,
        /empty/,
      );
      throwsValidation(() => normalizeDevEUI('nope', 'msg.devEUI'), 'msg.devEUI', 'invalid_deveui');
    });

    it('property: 8 random bytes as hex with random case and separators normalise to 16 uppercase hex', () => {
      const rendered = fc
        .tuple(
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
          fc.array(fc.constantFrom('', ':', '-', ' ', '\t'), { minLength: 7, maxLength: 7 }),
          fc.boolean(),
        )
        .map(([bytes, upper, seps, urn]) => {
          const chars = Array.from(bytes, hexByte)
            .join('')
            .split('')
            .map((c, i) => (upper[i] ? c.toUpperCase() : c));
          let text = '';
          for (let i = 0; i < 8; i++) text += chars[2 * i] + chars[2 * i + 1] + (i < 7 ? seps[i] : '');
          return { bytes, text: urn ? `urn:dev:DEVEUI:${text}:` : text };
        });
      fc.assert(
        fc.property(rendered, ({ bytes, text }) => {
          const expected = Buffer.from(bytes).toString('hex').toUpperCase();
          const out = normalizeDevEUI(text);
          assert.equal(out, expected);
          assert.match(out, /^[0-9A-F]{16}$/);
        }),
      );
    });

    it('property: idempotent', () => {
      fc.assert(
        fc.property(fc.string(), (s) => {
          let once: string;
          try {
            once = normalizeDevEUI(s);
          } catch (err) {
            assert.ok(err instanceof ValidationError);
            return;
          }
          assert.equal(normalizeDevEUI(once), once);
        }),
      );
    });

    it('property: any hex string of another length is refused', () => {
      fc.assert(
        fc.property(
          fc
            .string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 40 })
            .filter((s) => s.length !== 16),
          (s) => {
            throwsValidation(() => normalizeDevEUI(s), 'devEUI', 'invalid_deveui');
          },
        ),
      );
    });
  });

  describe('normalizePayloadHex', () => {
    it('accepts hex text, Buffer, Uint8Array, ArrayBuffer and byte arrays, giving uppercase hex', () => {
      assert.equal(normalizePayloadHex('0102ab'), '0102AB');
      assert.equal(normalizePayloadHex('0x0102AB'), '0102AB');
      assert.equal(normalizePayloadHex('0X01 02 ab'), '0102AB');
      assert.equal(normalizePayloadHex(' 01:02:ab\n'), '0102AB');
      assert.equal(normalizePayloadHex(Buffer.from([1, 2, 0xab])), '0102AB');
      assert.equal(normalizePayloadHex(new Uint8Array([1, 2, 0xab])), '0102AB');
      assert.equal(normalizePayloadHex(new Uint8Array([0, 1, 2, 0xab]).subarray(1)), '0102AB');
      assert.equal(normalizePayloadHex(new Uint8Array([1, 2, 0xab]).buffer), '0102AB');
      assert.equal(normalizePayloadHex([1, 2, 171]), '0102AB');
    });

    it('refuses odd length', () => {
      const err = throwsValidation(() => normalizePayloadHex('ABC'), 'payload', 'invalid_payload');
      assert.match(err.message, /odd number of hex digits \(3\)/);
    });

    it('refuses non-hex characters', () => {
      const err = throwsValidation(() => normalizePayloadHex('01zz'), 'payload', 'invalid_payload');
      assert.match(err.message, /"z", which is not a hex digit/);
      throwsValidation(() => normalizePayloadHex('01-02'), 'payload', 'invalid_payload');
      throwsValidation(() => normalizePayloadHex('0x'.repeat(2)), 'payload', 'invalid_payload');
    });

    it('refuses empty payloads', () => {
      for (const v of ['', '   ', '0x', Buffer.alloc(0), new Uint8Array(0), []]) {
        throwsValidation(() => normalizePayloadHex(v), 'payload', 'empty_payload');
      }
    });

    it('refuses bytes out of range and non-number items', () => {
      for (const bad of [256, -1, 1.5, NaN, '1', null]) {
        const err = throwsValidation(() => normalizePayloadHex([1, bad]), 'payload', 'invalid_payload');
        assert.match(err.message, /byte 1 is/);
      }
    });

    it('refuses other types', () => {
      for (const v of [undefined, null, 10, true, {}, new Date()]) {
        throwsValidation(() => normalizePayloadHex(v), 'payload', 'invalid_payload');
      }
      assert.match(
        throwsValidation(() => normalizePayloadHex(10), 'payload', 'invalid_payload').message,
        /a number is ambiguous/,
      );
      throwsValidation(() => normalizePayloadHex(5, 'msg.payload'), 'msg.payload', 'invalid_payload');
    });

    it('refuses more than 242 bytes, accepts 242', () => {
      assert.equal(normalizePayloadHex(Buffer.alloc(242)).length, 484);
      for (const v of [
        '00'.repeat(243),
        Buffer.alloc(243),
        new Array<number>(243).fill(0),
        new Array<number>(5000),
      ]) {
        const err = throwsValidation(() => normalizePayloadHex(v), 'payload', 'payload_too_large');
        assert.match(err.message, /more than the LoRaWAN maximum of 242 bytes/);
        assert.ok(err.value.length < 60);
      }
    });

    it('property: Buffer, byte array and hex text (any case, separators) agree', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 242 }),
          fc.boolean(),
          fc.constantFrom('', ' ', ':'),
          fc.boolean(),
          (bytes, upper, sep, prefix) => {
            const fromBuffer = normalizePayloadHex(Buffer.from(bytes));
            const fromArray = normalizePayloadHex(Array.from(bytes));
            const fromView = normalizePayloadHex(bytes);
            let hex = Array.from(bytes, hexByte).join(sep);
            if (upper) hex = hex.toUpperCase();
            const fromHex = normalizePayloadHex((prefix ? '0x' : '') + hex);
            assert.equal(fromArray, fromBuffer);
            assert.equal(fromView, fromBuffer);
            assert.equal(fromHex, fromBuffer);
            assert.match(fromBuffer, /^([0-9A-F]{2})+$/);
            assert.equal(normalizePayloadHex(fromBuffer), fromBuffer);
            assert.deepEqual(Buffer.from(fromBuffer, 'hex'), Buffer.from(bytes));
          },
        ),
      );
    });
  });

  describe('payloadSizeWarning', () => {
    it('is silent up to 51 bytes', () => {
      assert.equal(payloadSizeWarning('00'), undefined);
      assert.equal(payloadSizeWarning('00'.repeat(51)), undefined);
    });

    it('warns above 51 and above 222 bytes', () => {
      const w52 = payloadSizeWarning('00'.repeat(52));
      assert.ok(w52);
      assert.match(w52, /payload is 52 bytes; .*51 bytes at the slowest data rates.*222/);
      assert.match(payloadSizeWarning('00'.repeat(222)) ?? '', /51 bytes/);
      const w223 = payloadSizeWarning('00'.repeat(223));
      assert.match(w223 ?? '', /at most 222 bytes even at the fastest data rate/);
      assert.ok(payloadSizeWarning('00'.repeat(242)));
    });

    it('throws above 242 bytes', () => {
      throwsValidation(() => payloadSizeWarning('00'.repeat(243)), 'payload', 'payload_too_large');
    });
  });

  describe('normalizePort', () => {
    it('accepts integers and numeric strings', () => {
      assert.equal(normalizePort(1), 1);
      assert.equal(normalizePort(223), 223);
      assert.equal(normalizePort('10'), 10);
      assert.equal(normalizePort(' 10 '), 10);
      assert.equal(normalizePort(10.0), 10);
    });

    it('refuses ports outside 1-223 explaining the FPort range', () => {
      for (const v of [0, 224, 255, -1, '0', '224', 1e21]) {
        const err = throwsValidation(() => normalizePort(v), 'port', 'invalid_port');
        assert.match(err.message, /1-223/);
        assert.match(err.message, /application FPort/);
      }
    });

    it('refuses non-integers, NaN and other types', () => {
      for (const v of [1.5, NaN, Infinity, '1.5', '1e1', 'ten', '', undefined, null, true, [], {}, 10n]) {
        const err = throwsValidation(() => normalizePort(v), 'port', 'invalid_port');
        assert.match(err.message, /1 to 223/);
      }
      throwsValidation(() => normalizePort(0, 'msg.port'), 'msg.port', 'invalid_port');
    });

    it('property: every integer 1..223 is accepted, as number and as text', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 223 }), (p) => {
          assert.equal(normalizePort(p), p);
          assert.equal(normalizePort(String(p)), p);
        }),
      );
    });

    it('property: every other integer is refused', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 224 }), fc.constantFrom(0, 224, -0)),
          (p) => {
            throwsValidation(() => normalizePort(p), 'port', 'invalid_port');
            throwsValidation(() => normalizePort(String(p)), 'port', 'invalid_port');
          },
        ),
      );
    });

    it('property: non-integer numbers are refused', () => {
      fc.assert(
        fc.property(
          fc.double().filter((d) => !Number.isInteger(d)),
          (d) => {
            throwsValidation(() => normalizePort(d), 'port', 'invalid_port');
          },
        ),
      );
    });
  });

  describe('normalizeLimit', () => {
    it('accepts any positive integer (the API documents no maximum), or up to a given max', () => {
      assert.equal(normalizeLimit(1), 1);
      assert.equal(normalizeLimit('50'), 50);
      assert.equal(normalizeLimit(1000), 1000);
      assert.equal(normalizeLimit(1001), 1001);
      assert.equal(normalizeLimit('250000'), 250000);
      assert.equal(normalizeLimit(5, 'pageSize', 5), 5);
    });

    it('refuses zero, negatives, too large, non-integers and other types', () => {
      assert.match(
        throwsValidation(() => normalizeLimit(0), 'limit', 'invalid_limit').message,
        /not a positive/,
      );
      throwsValidation(() => normalizeLimit(-3), 'limit', 'invalid_limit');
      assert.match(
        throwsValidation(() => normalizeLimit(1001, 'limit', 1000), 'limit', 'invalid_limit').message,
        /maximum of 1000/,
      );
      throwsValidation(() => normalizeLimit(6, 'pageSize', 5), 'pageSize', 'invalid_limit');
      for (const v of [1.5, NaN, 'x', undefined, null, {}])
        throwsValidation(() => normalizeLimit(v), 'limit', 'invalid_limit');
    });

    it('property: accepted exactly for 1..max', () => {
      fc.assert(
        fc.property(fc.integer({ min: -10, max: 2000 }), fc.integer({ min: 1, max: 1500 }), (n, max) => {
          if (n >= 1 && n <= max) assert.equal(normalizeLimit(n, 'limit', max), n);
          else throwsValidation(() => normalizeLimit(n, 'limit', max), 'limit', 'invalid_limit');
        }),
      );
    });
  });

  describe('normalizeUuid', () => {
    it('lowercases and trims, accepting any version', () => {
      assert.equal(
        normalizeUuid(' 123E4567-E89B-12D3-A456-426614174000 ', 'customerId'),
        '123e4567-e89b-12d3-a456-426614174000',
      );
      assert.equal(
        normalizeUuid('00000000-0000-0000-0000-000000000000', 'id'),
        '00000000-0000-0000-0000-000000000000',
      );
      assert.equal(
        normalizeUuid('ffffffff-ffff-ffff-ffff-ffffffffffff', 'id'),
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
      );
    });

    it('refuses the KPN application id, which is not a UUID', () => {
      const err = throwsValidation(
        () => normalizeUuid('4dc82561-f65f-523g-dek9-6c79ec314f02', 'customerId'),
        'customerId',
        'invalid_uuid',
      );
      assert.match(err.message, /"g", which is not a hex digit/);
    });

    it('refuses wrong grouping, empty text and other types', () => {
      const err = throwsValidation(
        () => normalizeUuid('123e4567e89b12d3a456426614174000', 'customerId'),
        'customerId',
        'invalid_uuid',
      );
      assert.match(err.message, /8-4-4-4-12/);
      throwsValidation(
        () => normalizeUuid('{123e4567-e89b-12d3-a456-426614174000}', 'id'),
        'id',
        'invalid_uuid',
      );
      throwsValidation(() => normalizeUuid('', 'id'), 'id', 'invalid_uuid');
      for (const v of [undefined, null, 1, {}])
        throwsValidation(() => normalizeUuid(v, 'id'), 'id', 'invalid_uuid');
    });

    it('property: any uuid in any case normalises to its lowercase form, idempotently', () => {
      fc.assert(
        fc.property(fc.uuid(), fc.boolean(), (u, upper) => {
          const out = normalizeUuid(upper ? u.toUpperCase() : u, 'id');
          assert.equal(out, u.toLowerCase());
          assert.equal(normalizeUuid(out, 'id'), out);
        }),
      );
    });
  });

  describe('normalizeIsoDateTime', () => {
    it('accepts Dates, ISO strings with timezone, dates and epoch milliseconds', () => {
      const cases: [unknown, string][] = [
        [new Date(Date.UTC(2024, 0, 31, 12)), '2024-01-31T12:00:00.000Z'],
        ['2024-01-31T12:00:00Z', '2024-01-31T12:00:00.000Z'],
        ['2024-01-31t12:00z', '2024-01-31T12:00:00.000Z'],
        ['2024-01-31 12:00:00.5Z', '2024-01-31T12:00:00.500Z'],
        ['2024-01-31T12:00:00.123456Z', '2024-01-31T12:00:00.123Z'],
        ['2024-01-31T13:00:00+01:00', '2024-01-31T12:00:00.000Z'],
        ['2024-01-31T07:30:00-0430', '2024-01-31T12:00:00.000Z'],
        ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'],
        ['2024-01-31', '2024-01-31T00:00:00.000Z'],
        ['2024-02-29', '2024-02-29T00:00:00.000Z'],
        ['0050-06-01', '0050-06-01T00:00:00.000Z'],
        [0, '1970-01-01T00:00:00.000Z'],
        [1700000000000, '2023-11-14T22:13:20.000Z'],
      ];
      for (const [input, expected] of cases)
        assert.equal(normalizeIsoDateTime(input, 'since'), expected, String(input));
    });

    it('refuses invalid dates with a reason', () => {
      const cases: [unknown, RegExp][] = [
        ['2024-13-01', /month 13/],
        ['2023-02-29', /day 29/],
        ['2024-04-31', /day 31/],
        ['2024-01-31T24:00:00Z', /time of day/],
        ['2024-01-31T12:60:00Z', /time of day/],
        ['2024-01-31T12:00:00+24:00', /offset/],
        ['2024-01-31T12:00:00', /no timezone/],
        ['31-01-2024', /not an ISO 8601/],
        ['yesterday', /not an ISO 8601/],
        ['', /empty/],
        [new Date(NaN), /invalid Date/],
        [NaN, /not a finite number/],
        [Infinity, /not a finite number/],
        [9e15, /outside the range/],
        [undefined, /missing/],
        [null, /null/],
        [{}, /object/],
        [true, /boolean/],
      ];
      for (const [input, reason] of cases) {
        const err = throwsValidation(
          () => normalizeIsoDateTime(input, 'createdSince'),
          'createdSince',
          'invalid_datetime',
        );
        assert.match(err.message, reason);
      }
    });

    it('property: round-trips any valid date through Date, string and epoch forms', () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date('0000-01-01T00:00:00Z'),
            max: new Date('9999-12-31T23:59:59.999Z'),
            noInvalidDate: true,
          }),
          (d) => {
            const iso = d.toISOString();
            assert.equal(normalizeIsoDateTime(d, 'at'), iso);
            assert.equal(normalizeIsoDateTime(d.getTime(), 'at'), iso);
            assert.equal(normalizeIsoDateTime(iso, 'at'), iso);
          },
        ),
      );
    });

    it('property: an offset shifts the instant by exactly that offset', () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2100-01-01T00:00:00Z'),
            noInvalidDate: true,
          }),
          fc.integer({ min: -14 * 60, max: 14 * 60 }),
          (d, offset) => {
            const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23);
            const abs = Math.abs(offset);
            const sign = offset < 0 ? '-' : '+';
            const suffix = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
            assert.equal(normalizeIsoDateTime(local + suffix, 'at'), d.toISOString());
          },
        ),
      );
    });
  });

  describe('normalizeExternalReference', () => {
    it('gives undefined for nothing', () => {
      for (const v of [undefined, null, '', '   ']) assert.equal(normalizeExternalReference(v), undefined);
    });

    it('accepts printable text up to 255 characters, and numbers', () => {
      assert.equal(normalizeExternalReference('order-42'), 'order-42');
      assert.equal(normalizeExternalReference(' order 42 '), 'order 42');
      assert.equal(normalizeExternalReference('é'.repeat(255)), 'é'.repeat(255));
      assert.equal(normalizeExternalReference('😀'.repeat(255)), '😀'.repeat(255));
      assert.equal(normalizeExternalReference(42), '42');
    });

    it('refuses long text, control characters and other types', () => {
      const long = throwsValidation(
        () => normalizeExternalReference('x'.repeat(256)),
        'externalReference',
        'invalid_external_reference',
      );
      assert.match(long.message, /256 characters/);
      assert.ok(long.value.length < 60);
      const ctl = throwsValidation(
        () => normalizeExternalReference('a\nb'),
        'externalReference',
        'invalid_external_reference',
      );
      assert.match(ctl.message, /U\+000A/);
      throwsValidation(
        () => normalizeExternalReference('a\u0000'),
        'externalReference',
        'invalid_external_reference',
      );
      throwsValidation(
        () => normalizeExternalReference('a\ud800b'),
        'externalReference',
        'invalid_external_reference',
      );
      for (const v of [NaN, true, {}, [], Buffer.from('x')]) {
        throwsValidation(
          () => normalizeExternalReference(v),
          'externalReference',
          'invalid_external_reference',
        );
      }
    });
  });

  describe('checkSharedSecret', () => {
    const good = 'Abcdefghijklmnopqrstuvwxyz0123!#';

    it('accepts the documented example without warnings', () => {
      assert.deepEqual(checkSharedSecret(good), { ok: true, warnings: [], errors: [] });
    });

    it('warns, but accepts, 30 or 31 characters', () => {
      for (const s of ['A' + good.slice(3), 'A' + good.slice(2)]) {
        const r = checkSharedSecret(s);
        assert.equal(r.ok, true);
        assert.equal(r.warnings.length, 1);
        assert.match(r.warnings[0], /at least 32/);
      }
    });

    it('refuses fewer than 30 characters and missing character classes', () => {
      const short = checkSharedSecret(good.slice(3));
      assert.equal(short.ok, false);
      assert.match(short.errors.join(' '), /29 characters/);
      const cases: [string, RegExp][] = [
        [good.toLowerCase(), /uppercase/],
        [good.toUpperCase(), /lowercase/],
        ['Abcdefghijklmnopqrstuvwxyzabcd!#', /digit/],
        ['Abcdefghijklmnopqrstuvwxyz012345', /special/],
        ['', /missing/],
      ];
      for (const [s, reason] of cases) {
        const r = checkSharedSecret(s);
        assert.equal(r.ok, false, s);
        assert.match(r.errors.join(' '), reason);
      }
    });

    it('warns about characters outside the documented set', () => {
      const r = checkSharedSecret(good + '-_');
      assert.equal(r.ok, true);
      assert.match(r.warnings.join(' '), /"-" "_"/);
    });

    it('property: every documented special character satisfies the special rule', () => {
      fc.assert(
        fc.property(fc.constantFrom(...'#?!@$%^&(){}:.,/+*;'), (c) => {
          assert.deepEqual(checkSharedSecret('Abcdefghijklmnopqrstuvwxyz0123' + c + c), {
            ok: true,
            warnings: [],
            errors: [],
          });
        }),
      );
    });
  });
});
