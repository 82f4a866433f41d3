/**
 * One error family for everything the client can fail with. Each carries RFC 7807 problem details
 * (`problem`) and the same flat fields, so a flow can branch on `status`, `title` or `type` and show
 * `detail`, whatever went wrong. Nothing secret is ever put into these errors.
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

export class ThingsError extends Error {
  readonly kind: ThingsErrorKind;
  readonly problem: ProblemDetails;
  /** Retries made before giving up (0 when the first attempt failed for good). */
  retries: number;
  /** Low-level code of a network error (e.g. ECONNRESET), when there was one. */
  readonly code?: string;

  constructor(
    kind: ThingsErrorKind,
    problem: ProblemDetails,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title, { cause: options.cause });
    this.name = 'ThingsError';
    this.kind = kind;
    this.problem = problem;
    this.retries = 0;
    if (options.code !== undefined) this.code = options.code;
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
    super(problem.status === 401 ? 'auth' : 'api', problem, options);
    this.name = 'ThingsApiError';
  }
}

/** GRIP refused to issue a token; `hint` says what to fix. */
export class GripAuthError extends ThingsError {
  readonly hint: string;
  constructor(problem: ProblemDetails, hint: string) {
    super('auth', problem);
    this.name = 'GripAuthError';
    this.hint = hint;
  }
}

export class ThingsNetworkError extends ThingsError {
  constructor(detail: string, code: string | undefined, cause?: unknown) {
    super(
      'network',
      { type: PROBLEM_TYPES.network, title: 'Network error', status: 0, detail },
      { code, cause },
    );
    this.name = 'ThingsNetworkError';
  }
}

export class ThingsTimeoutError extends ThingsError {
  constructor(detail: string, code?: string) {
    super(
      'timeout',
      { type: PROBLEM_TYPES.timeout, title: 'Request timed out', status: 0, detail },
      { code },
    );
    this.name = 'ThingsTimeoutError';
  }
}

export class ThingsAbortError extends ThingsError {
  constructor(detail = 'The request was cancelled (node closed or redeployed).') {
    super('aborted', { type: PROBLEM_TYPES.aborted, title: 'Request aborted', status: 0, detail });
    this.name = 'ThingsAbortError';
  }
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

export function statusTitle(status: number): string {
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

/** Known GRIP error texts and what the user should do about them. */
export const GRIP_HINTS: { match: RegExp; hint: string }[] = [
  {
    match: /Feature user does not exist anymore/i,
    hint: 'The API key id or secret is wrong: check the client id and secret of the KPN Things config node.',
  },
  {
    match: /Feature service does not exist anymore/i,
    hint: 'The API key lacks the KPN Things service in GRIP: add the KPN Things service to this API key in the KPN Things portal.',
  },
  {
    match: /idpId.{0,3}not found/i,
    hint: 'The tenant id is wrong: copy the tenant id from the KPN Things portal (API keys page) into the config node.',
  },
];

export function gripHint(bodyText: string, status: number): string {
  for (const { match, hint } of GRIP_HINTS) if (match.test(bodyText)) return hint;
  if (status === 401 || status === 403)
    return 'GRIP refused the API key: check the tenant id, client id and secret of the KPN Things config node.';
  if (status === 404)
    return 'The token URL was not found: check the GRIP URL and token path of the config node.';
  return 'GRIP did not issue a token: check the config node settings, or try again later.';
}
