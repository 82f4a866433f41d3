/**
 * Bearer-token checks for the API listener. The current API answers 401 problem+json; the beta
 * API (paths under /api/) answers 302 Found to GRIP's login page with an empty body, never 401.
 */
import { ReplyError, SimError, header, type RequestContext } from './http';
import type { SimState } from './state';
import { TOKEN_FAILURE_DETAIL } from './tokens';

/** Returns the API key the token was issued to, or throws the failure reply. */
export function requireToken(ctx: RequestContext, state: SimState, style: 'current' | 'beta'): string {
  const check = state.tokens.check(header(ctx.headers, 'authorization'));
  if (check.ok) return check.apiKey;
  if (style === 'beta') {
    throw new ReplyError({ status: 302, headers: { location: `${state.gripUrl}/login` }, body: '' });
  }
  throw new SimError(401, TOKEN_FAILURE_DETAIL[check.reason], undefined, {
    'www-authenticate': check.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"',
  });
}
