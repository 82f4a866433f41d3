/**
 * The uplink packs the simulator pushes, written as text the way KPN Things writes them: Java-style
 * numbers (`1.76675482e9`, `3.0`) verbatim in the body, so a receiver that re-encodes JSON before
 * hashing fails just as it would against the real platform.
 */
import type { PushKind } from './types';

export const PUSH_KINDS: readonly PushKind[] = ['raw', 'extended', 'location', 'measurements'];

/**
 * A number as Java's `Double.toString` writes it: `3.0`, `21.5`, and from 10^7 up (or below 10^-3)
 * the computerized form `1.76675482E9`; `exponent` picks the letter case of the E.
 */
export function javaDouble(value: number, exponent: 'e' | 'E' = 'E'): string {
  if (!Number.isFinite(value)) throw new TypeError('javaDouble needs a finite number');
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, power] = value.toExponential().split('e');
    const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return `${digits}${exponent}${Number(power)}`;
  }
  const text = String(value);
  return text.includes('.') ? text : `${text}.0`;
}

export interface PackInput {
  devEUI: string;
  /** The push counter of the destination: frame counters and values follow it. */
  sequence: number;
  /** Seconds since the epoch (whole or fractional). */
  timeSeconds: number;
}

const str = (value: string): string => JSON.stringify(value);
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

/** The body text of one pack of the given kind. */
export function packBody(kind: PushKind, input: PackInput): string {
  const bn = str(`urn:dev:DEVEUI:${input.devEUI}:`);
  const seq = input.sequence;
  const bt = javaDouble(input.timeSeconds, 'e');
  const payloadHex = Buffer.from([0x1b, 0x0c, seq & 255, (seq * 37) & 255, 0x64]).toString('hex');
  switch (kind) {
    case 'raw':
      return `[{"bn":${bn},"bt":${bt},"n":"payload","vs":${str(payloadHex)}},{"n":"port","v":${javaDouble(3)}},{"n":"timeOrigin","vs":"NETWORK"}]`;
    case 'extended':
      return (
        `[{"bn":${bn},"bt":${bt},"n":"payload","vs":${str(payloadHex)}},{"n":"port","v":${javaDouble(3)}},` +
        `{"n":"FCntUp","v":${javaDouble(seq)}},{"n":"FCntDn","v":${javaDouble(Math.floor(seq / 4))}},` +
        `{"n":"LrrRSSI","v":${javaDouble(-87 - (seq % 20))}},{"n":"LrrSNR","v":${javaDouble(7.25 - (seq % 10))}},` +
        `{"n":"LrrESP","v":${javaDouble(-88.5 - (seq % 20))}},{"n":"DevLrrCnt","v":${javaDouble(1 + (seq % 3))}},` +
        `{"n":"SpFact","v":${javaDouble(7 + (seq % 6))}},{"n":"SubBand","vs":"G1"},{"n":"Channel","vs":"LC2"},` +
        `{"n":"ADRbit","v":${javaDouble(1)}},{"n":"timeOrigin","vs":"NETWORK"}]`
      );
    case 'location':
      return (
        `[{"bn":${bn},"bt":${bt},"n":"latitude","u":"lat","v":${javaDouble(round4(52.0907 + (seq % 10) / 1000))}},` +
        `{"n":"longitude","u":"lon","v":${javaDouble(round4(5.1214 + (seq % 10) / 1000))}},{"n":"radius","u":"m","v":${javaDouble(150)}},` +
        `{"n":"locOrigin","vs":"KPNLORA"},{"n":"locMethod","vs":"TDOA"},{"n":"locAccuracy","v":${javaDouble(0.8)}},` +
        `{"n":"locPrecision","v":${javaDouble(2.5)}},{"n":"locTime","v":${bt}}]`
      );
    case 'measurements':
      // Base values in a later record: the second record sets a new base unit, the third a new base time.
      return (
        `[{"bn":${bn},"bt":${bt},"n":"temperature","u":"Cel","v":${javaDouble(21.5 + (seq % 5) / 2)}},` +
        `{"bu":"%","n":"battery","v":${javaDouble(87 - (seq % 50))}},` +
        `{"bt":${javaDouble(input.timeSeconds + 1, 'E')},"bu":"%RH","n":"humidity","v":${javaDouble(55)}}]`
      );
  }
}
