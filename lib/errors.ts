/**
 * One error family for everything the library can fail with, invalid input included. Each carries
 * RFC 7807 problem details (`problem`) and the same flat fields, so a flow can branch on `status`,
 * `title` or `type` and show `detail`, whatever went wrong. What the user should do about it is a
 * hint CODE (`hint`, e.g. 'grip.service-missing', with `hintParams`): the nodes translate it through
 * their message catalogues, so no user-facing advice is written in English here.
 * Nothing secret is ever put into these errors.
 */
import type { ProblemDetails } from './types';

/** Problem `type` URIs for problems the client synthesises (the API's own types pass through). */
export const PROBLEM_TYPES = {
  network: 'urn:thingsflow:kpn-things:problem:network-error',
  timeout: 'urn:thingsflow:kpn-things:problem:timeout',
  aborted: 'urn:thingsflow:kpn-things:problem:aborted',
  grip: 'urn:thingsflow:kpn-things:problem:grip-token',
  invalidInput: 'urn:thingsflow:kpn-things:problem:invalid-input',
  malformedResponse: 'urn:thingsflow:kpn-things:problem:malformed-response',
  responseTooLarge: 'urn:thingsflow:kpn-things:problem:response-too-large',
  http: 'about:blank',
} as const;

export type ThingsErrorKind =
  'api' | 'auth' | 'network' | 'timeout' | 'aborted' | 'validation' | 'malformed-response';

/**
 * What the user can do about a failure, as a catalogue key below `kpn-things.hints.` (the nodes
 * translate it). `input.<ValidationErrorCode>` codes come from ValidationError.
 */
export type HintCode =
  | 'grip.credentials-wrong'
  | 'grip.service-missing'
  | 'grip.tenant-wrong'
  | 'grip.refused'
  | 'grip.token-url'
  | 'grip.no-token'
  | 'grip.unavailable'
  | 'api.unauthorized'
  | 'api.forbidden'
  | 'api.not-found'
  | 'api.rate-limited'
  | 'api.server'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'response.malformed'
  | 'response.too-large'
  | 'response.foreign-link'
  | `input.${ValidationErrorCode}`
  | 'unexpected';

export type HintParams = Record<string, string | number>;

/** Problem details with the hint code: what lib/ hands to whoever shows a failure. */
export interface ThingsProblem extends ProblemDetails {
  hint?: HintCode;
  hintParams?: HintParams;
}

export interface ThingsErrorOptions {
  code?: string;
  cause?: unknown;
  hint?: HintCode;
  hintParams?: HintParams;
}

export class ThingsError extends Error {
  readonly kind: ThingsErrorKind;
  readonly problem: ProblemDetails;
  /** Retries made before giving up (0 when the first attempt failed for good). */
  retries: number;
  /** Low-level code of a network error (e.g. ECONNRESET), or a ValidationError's code. */
  readonly code?: string;
  /** What the user can do about it, as a catalogue code (see HintCode). */
  readonly hint?: HintCode;
  readonly hintParams?: HintParams;

  constructor(kind: ThingsErrorKind, problem: ProblemDetails, options: ThingsErrorOptions = {}) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title, { cause: options.cause });
    this.name = 'ThingsError';
    this.kind = kind;
    this.problem = problem;
    this.retries = 0;
    if (options.code !== undefined) this.code = options.code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.hintParams !== undefined) this.hintParams = options.hintParams;
  }

  get status(): number {
    return this.problem.status;
  }
  get title(): string {
    return this.problem.title;
  }
  get detail(): string | undefined {
    return this.problem.detail;
  }
  get type(): string | undefined {
    return this.problem.type;
  }
  get instance(): string | undefined {
    return this.problem.instance;
  }

  toJSON(): ProblemDetails & { kind: ThingsErrorKind; retries: number } {
    return { ...this.problem, kind: this.kind, retries: this.retries };
  }
}

/** A non-2xx answer of the KPN Things API. */
export class ThingsApiError extends ThingsError {
  constructor(problem: ProblemDetails, options: { cause?: unknown } = {}) {
    super(problem.status === 401 ? 'auth' : 'api', problem, { ...options, hint: statusHint(problem.status) });
    this.name = 'ThingsApiError';
  }
}

/** GRIP refused to issue a token; `hint` says (as a code) what to fix. */
export class GripAuthError extends ThingsError {
  declare readonly hint: HintCode;
  constructor(problem: ProblemDetails, hint: HintCode) {
    super('auth', problem, { hint });
    this.name = 'GripAuthError';
  }
}

export class ThingsNetworkError extends ThingsError {
  constructor(detail: string, code: string | undefined, cause?: unknown) {
    super(
      'network',
      { type: PROBLEM_TYPES.network, title: 'Network error', status: 0, detail },
      { code, cause, hint: 'network' },
    );
    this.name = 'ThingsNetworkError';
  }
}

export class ThingsTimeoutError extends ThingsError {
  constructor(detail: string, code?: string) {
    super(
      'timeout',
      { type: PROBLEM_TYPES.timeout, title: 'Request timed out', status: 0, detail },
      { code, hint: 'timeout' },
    );
    this.name = 'ThingsTimeoutError';
  }
}

export class ThingsAbortError extends ThingsError {
  constructor(detail = 'The request was cancelled.') {
    super(
      'aborted',
      { type: PROBLEM_TYPES.aborted, title: 'Request aborted', status: 0, detail },
      { hint: 'aborted' },
    );
    this.name = 'ThingsAbortError';
  }
}

/** Stable, programmatic error codes of {@link ValidationError}. */
export type ValidationErrorCode =
  | 'invalid_deveui'
  | 'invalid_payload'
  | 'empty_payload'
  | 'payload_too_large'
  | 'invalid_port'
  | 'invalid_uuid'
  | 'invalid_datetime'
  | 'invalid_limit'
  | 'invalid_external_reference'
  | 'invalid_senml'
  | 'invalid_query'
  | 'invalid_method'
  | 'invalid_path'
  | 'invalid_media_type'
  | 'invalid_certificate'
  | 'missing_setting';

export interface ValidationErrorDetails {
  /** The input field, e.g. 'devEUI', 'port', 'payload', 'customerId', 'records[2].v'. */
  field: string;
  code: ValidationErrorCode;
  /** The offending value; only a short preview of it is kept on the error. */
  value: unknown;
  /** What is wrong, phrased to follow the field name, e.g. `"12345" is 5 hex digits long`. */
  problem: string;
  /** The rule the value must follow, e.g. `a DevEUI has exactly 16 hex digits (e.g. 0123456789ABCDEF).` */
  fix?: string;
  /** The same as `fix` (its name before hint codes; the error's own `hint` is a code). */
  hint?: string;
  /** Extra parameters of the hint code `input.<code>` (`field` is always given). */
  hintParams?: HintParams;
}

/**
 * A user input is invalid; nothing was sent. `message` is one sentence: `{field} {problem}; {fix}`.
 * `value` holds a short preview of the input (never a possibly large value verbatim). Its hint code is
 * `input.<code>` with the field as a parameter; its problem is a 400 'Invalid input' (no HTTP exchange).
 */
export class ValidationError extends ThingsError {
  declare readonly code: ValidationErrorCode;
  declare readonly hint: HintCode;
  readonly field: string;
  readonly value: string;
  /** The rule the value must follow (part of the message). */
  readonly fix: string;

  constructor(details: ValidationErrorDetails) {
    const fix = details.fix ?? details.hint ?? '';
    const message = fix
      ? `${details.field} ${details.problem}; ${fix}`
      : `${details.field} ${details.problem}.`;
    super(
      'validation',
      {
        type: PROBLEM_TYPES.invalidInput,
        title: 'Invalid input',
        status: 400,
        detail: message,
        field: details.field,
        code: details.code,
      },
      {
        code: details.code,
        hint: `input.${details.code}`,
        hintParams: { ...details.hintParams, field: details.field },
      },
    );
    this.name = 'ValidationError';
    this.message = message;
    this.field = details.field;
    this.value = preview(details.value);
    this.fix = fix;
  }
}

const PREVIEW_CHARS = 40;

/**
 * A short, single-line description of any value, for error messages: strings are quoted (and cut
 * after 40 characters), binary data and arrays are summarised by their size.
 */
export function preview(value: unknown): string {
  if (typeof value === 'string') {
    const chars = Array.from(value);
    const cut = chars.length > PREVIEW_CHARS ? chars.slice(0, PREVIEW_CHARS - 1).join('') + '…' : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Buffer.isBuffer(value)) return `<Buffer of ${value.length} bytes>`;
  if (value instanceof Uint8Array) return `<Uint8Array of ${value.length} bytes>`;
  if (Array.isArray(value)) return `<array of ${value.length} items>`;
  if (typeof value === 'function') return '<function>';
  if (typeof value === 'symbol') return '<symbol>';
  return '<object>';
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? `HTTP ${status}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds problem details from an HTTP error answer: the body's RFC 7807 members when it has them,
 * otherwise synthesised from the status and (a short excerpt of) the body text. The HTTP status
 * always wins over a body that disagrees or fails to parse.
 */
export function problemFromResponse(status: number, bodyText: string, instance: string): ProblemDetails {
  let parsed: unknown;
  try {
    parsed = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && (typeof parsed.title === 'string' || typeof parsed.detail === 'string')) {
    const problem: ProblemDetails = {
      ...parsed,
      title: typeof parsed.title === 'string' ? parsed.title : statusTitle(status),
      status,
    };
    if (typeof parsed.type === 'string') problem.type = parsed.type;
    if (typeof parsed.detail !== 'string') delete problem.detail;
    problem.instance = typeof parsed.instance === 'string' ? parsed.instance : instance;
    return problem;
  }
  const text = isRecord(parsed) ? firstMessage(parsed) : bodyText.trim();
  const problem: ProblemDetails = { type: PROBLEM_TYPES.http, title: statusTitle(status), status, instance };
  if (text) problem.detail = excerpt(text);
  return problem;
}

/** A message-ish member of a non-RFC-7807 JSON error body ({message}, {error_description}, {error}). */
function firstMessage(body: Record<string, unknown>): string {
  for (const key of ['message', 'error_description', 'error', 'detail']) {
    const value = body[key];
    if (typeof value === 'string' && value) return value;
  }
  return excerpt(JSON.stringify(body));
}

export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** Replaces every occurrence of the given secrets (of at least `minLength` characters) by '[redacted]'. */
export function redact(text: string, secrets: (string | undefined)[], minLength = 1): string {
  let out = text;
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= minLength) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The hint code for an API answer with this status (none where there is nothing useful to say). */
export function statusHint(status: number): HintCode | undefined {
  if (status === 401) return 'api.unauthorized';
  if (status === 403) return 'api.forbidden';
  if (status === 404) return 'api.not-found';
  if (status === 429) return 'api.rate-limited';
  if (status >= 500) return 'api.server';
  return undefined;
}

/** GRIP's three documented refusals, recognised by their text whatever the HTTP status. */
const GRIP_MESSAGES: { match: RegExp; hint: HintCode }[] = [
  { match: /Feature user does not exist anymore/i, hint: 'grip.credentials-wrong' },
  { match: /Feature service does not exist anymore/i, hint: 'grip.service-missing' },
  { match: /idpId.{0,3}not found/i, hint: 'grip.tenant-wrong' },
];

/** The documented GRIP refusal a body names, if any. */
export function knownGripRefusal(bodyText: string): HintCode | undefined {
  for (const { match, hint } of GRIP_MESSAGES) if (match.test(bodyText)) return hint;
  return undefined;
}

/** The hint code of a GRIP answer that issued no token. */
export function gripHint(bodyText: string, status: number): HintCode {
  const known = knownGripRefusal(bodyText);
  if (known) return known;
  if (status === 401 || status === 403) return 'grip.refused';
  if (status === 404) return 'grip.token-url';
  if (status >= 200 && status < 300) return 'grip.no-token';
  return 'grip.unavailable';
}

/**
 * THE one way any error becomes problem details: a ThingsError's own problem (with the retries made,
 * a network code, and its hint code); anything else an 'Unexpected error'. Callers translate `hint`.
 */
export function problemDetails(err: unknown): ThingsProblem {
  if (err instanceof ThingsError) {
    const problem: ThingsProblem = { ...err.problem };
    if (err.retries > 0) problem.retries = err.retries;
    if (err.code) problem.code = err.code;
    if (err.hint) problem.hint = err.hint;
    if (err.hintParams) problem.hintParams = { ...err.hintParams };
    return problem;
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    type: PROBLEM_TYPES.http,
    title: 'Unexpected error',
    status: 0,
    detail: message,
    hint: 'unexpected',
  };
}
