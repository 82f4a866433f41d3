/**
 * Hostile input: generated messages (fast-check) of wrong types, huge strings, `__proto__` keys,
 * NaN/Infinity, odd-length hex, a 10 MB payload and unicode DevEUIs into every action node of a real
 * runtime. Each gets a clear error naming the field, the runtime keeps running, and not one request
 * (not even a token request) reaches the simulator.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  chainOf,
  CUSTOMER,
  DEVICES,
  DOWNLINK,
  driverOf,
  flowOf,
  sharedRuntime,
  SimProcess,
  startRun,
  type ActionNodeSpec,
  type Runtime,
  type SimInfo,
} from '../harness';

const GENERATED = Number(process.env.HOSTILE_MESSAGES ?? 150);
const TEN_MB = 'ab'.repeat(5 * 1024 * 1024);
const UNICODE_DEVEUI = '００１１２２３３４４５５６６７７'; // full-width digits
const proto = (): Record<string, unknown> => JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');

/** Anything but a usable value: wrong types, non-finite numbers, objects with __proto__ keys. */
const wrongType = fc.oneof(
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(Number.NEGATIVE_INFINITY),
  fc.boolean(),
  fc.constant(proto()),
  fc.array(fc.integer(), { maxLength: 3 }).map((a) => ({ list: a })),
);
const nonHexText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .map((s) => `${s}é☃`)
  .filter((s) => !/^urn:/i.test(s));

interface HostileCase {
  spec: ActionNodeSpec;
  /** What the error must name. */
  field: RegExp;
  messages: (sim: SimInfo) => Record<string, unknown>[];
}

function validDownlink(sim: SimInfo): Record<string, unknown> {
  return { devEUI: sim.devEUIs[0], payload: '0102', port: 1 };
}

const CASES: HostileCase[] = [
  {
    spec: DOWNLINK,
    field: /devEUI/,
    messages: (sim) => [
      { ...validDownlink(sim), devEUI: UNICODE_DEVEUI },
      { ...validDownlink(sim), devEUI: 'x'.repeat(1_000_000) },
      ...fc
        .sample(fc.oneof(wrongType, nonHexText, fc.constant('0011223344556677AA')), {
          numRuns: GENERATED,
          seed: 1,
        })
        .map((devEUI) => ({ ...validDownlink(sim), devEUI })),
    ],
  },
  {
    spec: DOWNLINK,
    field: /payload/,
    messages: (sim) => [
      { ...validDownlink(sim), payload: TEN_MB },
      { ...validDownlink(sim), payload: 'abc' },
      ...fc
        .sample(
          fc.oneof(
            wrongType,
            nonHexText,
            fc
              .string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 1, maxLength: 63 })
              .filter((s) => s.length % 2 === 1),
          ),
          { numRuns: GENERATED, seed: 2 },
        )
        .map((payload) => ({ ...validDownlink(sim), payload })),
    ],
  },
  {
    spec: DOWNLINK,
    field: /port/,
    messages: (sim) =>
      fc
        .sample(
          fc.oneof(
            wrongType,
            fc.constantFrom(0, -1, 224, 1e9, 1.5, 'abc', '１'),
            fc.integer({ min: 224, max: 1e6 }),
          ),
          { numRuns: GENERATED, seed: 3 },
        )
        .map((port) => ({ ...validDownlink(sim), port })),
  },
  {
    spec: DEVICES,
    field: /msg\.(timeout|query|customerId)/,
    messages: () =>
      fc.sample(
        fc.oneof(
          fc
            .oneof(wrongType, fc.constantFrom(-1, 0, 'soon'))
            .filter((timeout) => typeof timeout !== 'boolean')
            .map((timeout): Record<string, unknown> => ({ timeout })),
          fc
            .oneof(fc.string({ minLength: 1 }), fc.integer(), fc.array(fc.string()))
            .map((query) => ({ query })),
          fc.oneof(nonHexText, fc.integer(), fc.constant(proto())).map((customerId) => ({ customerId })),
        ),
        { numRuns: GENERATED, seed: 4 },
      ),
  },
  {
    spec: CUSTOMER,
    field: /customerId/,
    messages: () => [
      { customerId: 'z'.repeat(10 * 1024 * 1024) },
      ...fc
        .sample(
          fc.oneof(
            wrongType,
            nonHexText,
            fc.uuid().map((u) => `${u}x`),
          ),
          { numRuns: GENERATED, seed: 5 },
        )
        .map((customerId) => ({ customerId })),
    ],
  },
];

function errorText(msg: Record<string, unknown>): string {
  const problem = msg.problem as { title?: string; detail?: string } | undefined;
  const error = msg.error as { message?: string } | undefined;
  return `${problem?.title ?? ''} ${problem?.detail ?? ''} ${error?.message ?? ''}`;
}

describe('reliability: hostile input into every node', function () {
  this.timeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000));
  let runtime: Runtime;
  let sim: SimProcess;

  before(async () => {
    runtime = await sharedRuntime();
    sim = await SimProcess.start({ deviceCount: 5 });
  });

  after(async () => {
    await runtime.deploy([]);
    await sim.close();
  });

  CASES.forEach((hostile, index) => {
    it(`${hostile.spec.type}: bad ${hostile.field.source} gets a clear error and sends nothing`, async () => {
      const errorOutput = index % 2 === 1;
      const chain = chainOf(hostile.spec, sim.info, errorOutput);
      const { flows, credentials } = flowOf(sim.info, [chain]);
      await runtime.deploy(flows, credentials);
      await sim.clearRequests();
      const messages = hostile.messages(sim.info);
      const result = await startRun(driverOf(chain.id), {
        n: messages.length,
        concurrency: 16,
        message: (i) => ({ ...messages[i] }),
        keepMessages: true,
        timeoutMs: Number(process.env.RELIABILITY_TIMEOUT_MS ?? 120_000) - 10_000,
      }).done;
      assert.equal(result.missing, 0);
      assert.equal(result.duplicates, 0);
      assert.equal(result.counts.ok, 0, 'no hostile message succeeded');
      for (const msg of result.messages) {
        const text = errorText(msg);
        assert.match(text, hostile.field, `the error names the field: ${text.slice(0, 300)}`);
        assert.ok(text.length < 2000, 'the error does not echo a huge value');
      }
      const stats = await sim.stats();
      assert.equal(stats.requests, 0, 'no request reached the simulator');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');

      // The runtime still works: a valid message succeeds.
      const valid = await startRun(driverOf(chain.id), {
        n: 1,
        concurrency: 1,
        message: (i) => hostile.spec.message(i, sim.info),
      }).done;
      assert.equal(valid.counts.ok, 1);
    });
  });
});
