/**
 * What a flow sees of a failure: RFC 7807 problem details for msg.problem, a short status text, and
 * an Error for done(err) whose message says what happened and what to do. Nothing secret is in any.
 */
import { PROBLEM_TYPES, ThingsError } from '../../lib/errors';
import { ValidationError } from '../../lib/validate';
import type { ProblemDetails } from '../../lib/types';

export function toProblem(err: unknown): ProblemDetails {
  if (err instanceof ThingsError) {
    const problem = { ...err.problem };
    if (err.retries > 0) problem.retries = err.retries;
    if (err.code) problem.code = err.code;
    if ('hint' in err && typeof err.hint === 'string') problem.hint = err.hint;
    return problem;
  }
  if (err instanceof ValidationError) {
    return {
      type: PROBLEM_TYPES.invalidInput,
      title: 'Invalid input',
      status: 400,
      detail: err.message,
      field: err.field,
      code: err.code,
      hint: err.hint,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { type: PROBLEM_TYPES.http, title: 'Unexpected error', status: 0, detail: message };
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

/** The Error handed to done(): a readable one-liner that a Catch node shows as msg.error.message. */
export function toNodeError(problem: ProblemDetails): Error {
  const error = new Error(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  error.name = 'KpnThingsError';
  return error;
}
