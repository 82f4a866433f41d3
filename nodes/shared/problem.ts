/**
 * What a flow sees of a failure: RFC 7807 problem details for msg.problem (lib's one conversion,
 * with its hint code translated through the catalogues), a short status text, and an Error for
 * done(err) whose message says what happened and what to do. Nothing secret is in any.
 */
import { PROBLEM_TYPES, ThingsError, problemDetails, type HintParams } from '../../lib/errors';
import type { ProblemDetails } from '../../lib/types';

/** Translates a catalogue key (Node-RED's RED._). */
export type Translate = (key: string, params?: HintParams) => string;

/** Catalogue keys of the hint codes: `kpn-things.hints.<code>` (nodes/shared/locales/<lang>/common.json). */
export const HINT_KEY_PREFIX = 'kpn-things.hints.';

/**
 * The text of a hint code in the user's language; the code itself when the catalogue has no text for
 * it (Node-RED's RED._ answers an unknown key with the key).
 */
export function translateHint(code: string, params: HintParams | undefined, translate: Translate): string {
  const key = HINT_KEY_PREFIX + code;
  const text = translate(key, params);
  return text === key || text === '' ? code : text;
}

/**
 * Problem details for msg.problem: `hint` is the translated advice and `hintCode` the stable code a
 * flow can branch on. Without a translator the code is kept as the hint.
 */
export function toProblem(err: unknown, translate?: Translate): ProblemDetails {
  const problem = problemDetails(err);
  const { hint, hintParams, ...rest } = problem;
  const out: ProblemDetails = rest;
  if (hint) {
    out.hint = translate ? translateHint(hint, hintParams, translate) : hint;
    out.hintCode = hint;
  }
  return out;
}

/** True when an HTTP answer was received (msg.statusCode is then set). */
export function hasHttpStatus(err: unknown): boolean {
  return err instanceof ThingsError && err.kind !== 'validation' && err.status > 0;
}

/** A status-bar text: the HTTP status (if any) and the title, kept short. */
export function shortStatus(problem: ProblemDetails): string {
  const text =
    problem.status > 0 && problem.type !== PROBLEM_TYPES.invalidInput
      ? `${problem.status} ${problem.title}`
      : problem.title;
  const field = typeof problem.field === 'string' ? `: ${problem.field}` : '';
  const out = text + field;
  return out.length > 40 ? out.slice(0, 39) + '…' : out;
}

/**
 * The Error handed to done(): a readable line that a Catch node shows as msg.error.message — what
 * happened, then (when there is one and it is not already said) what to do.
 */
export function toNodeError(problem: ProblemDetails): Error {
  const said = problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
  const hint = typeof problem.hint === 'string' && problem.hint !== problem.hintCode ? problem.hint : '';
  const error = new Error(hint && !said.includes(hint) ? `${said} (${hint})` : said);
  error.name = 'KpnThingsError';
  return error;
}
