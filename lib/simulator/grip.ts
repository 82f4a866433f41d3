/**
 * The simulated GRIP identity provider: the OAuth2 client-credentials token endpoint (documented
 * tenant path and the tenant-less v3 path), with GRIP's known error texts.
 */
import { SimError, badRequest, json, isObject, parseJson, type Reply, type RequestContext } from './http';
import type { Route } from './server';
import type { SimState } from './state';
import type { GripErrorKind } from './types';

export const TOKEN_ROUTE = 'POST /token';

export const GRIP_ERRORS: Readonly<Record<GripErrorKind, string>> = {
  tenant: 'SAML request error: "idpId" not found.',
  user: 'Feature user does not exist anymore.',
  service: 'Feature service does not exist anymore.',
};

/** The statuses the simulator sends GRIP's texts with unless told otherwise (GRIP's own are not documented). */
export const DEFAULT_GRIP_ERROR_STATUS: Readonly<Record<GripErrorKind, number>> = {
  user: 401,
  service: 403,
  tenant: 400,
};

export function gripRoutes(state: SimState): Route[] {
  const token = (ctx: RequestContext): Reply => issueToken(ctx, state);
  return [
    { method: 'POST', path: '/v2/{tenantId}/oidc/idp/c1/token', key: TOKEN_ROUTE, handle: token },
    { method: 'POST', path: '/api/v3/idp/oidc/token', key: TOKEN_ROUTE, handle: token },
    {
      // Where the beta API's 302 points; clients must never follow it.
      method: 'GET',
      path: '/login',
      key: 'GET /login',
      handle: () => ({
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html><title>GRIP login</title><p>Simulated GRIP login page.</p>',
      }),
    },
  ];
}

/** GRIP answers errors as {"message": "..."}. */
export function gripError(status: number, message: string, headers: Record<string, string> = {}): Reply {
  const reply = json(status, { message });
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

function issueToken(ctx: RequestContext, state: SimState): Reply {
  const { credentials } = state;
  const fail = (kind: GripErrorKind): SimError =>
    new SimError(state.gripErrorStatus[kind], GRIP_ERRORS[kind]);
  if (ctx.params.tenantId !== undefined && ctx.params.tenantId !== credentials.tenantId) {
    throw fail('tenant');
  }
  const parsed = parseJson(ctx.body);
  if (!parsed.ok || !isObject(parsed.value)) {
    throw badRequest(
      'Invalid request body: expected a JSON object with grant_type, audience, client_id and client_secret.',
    );
  }
  const body = parsed.value;
  if (body.grant_type !== 'client_credentials') {
    throw badRequest(
      `Unsupported grant_type ${JSON.stringify(body.grant_type ?? null)}: use "client_credentials".`,
    );
  }
  for (const field of ['client_id', 'client_secret', 'audience']) {
    if (typeof body[field] !== 'string' || body[field] === '') throw badRequest(`Missing field: ${field}.`);
  }
  if (body.client_id !== credentials.clientId || body.client_secret !== credentials.clientSecret) {
    throw fail('user');
  }
  if (body.audience !== credentials.applicationId) {
    throw badRequest(`Invalid audience ${JSON.stringify(body.audience)}: no such application.`);
  }
  if (state.keyWithoutThingsService) throw fail('service');
  if (state.gripAnswersWithoutToken)
    return json(200, { token_type: 'Bearer', expires_in: state.tokenLifetimeSeconds });

  const lifetime = state.tokenLifetimeSeconds;
  const accessToken = state.tokens.issue(credentials.clientId, lifetime);
  const payload =
    state.tokenShape === 'camel'
      ? { accessToken, token_type: 'Bearer', expiresIn: lifetime }
      : { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime };
  const reply = json(200, payload);
  return { ...reply, headers: { ...reply.headers, 'cache-control': 'no-store', pragma: 'no-cache' } };
}
