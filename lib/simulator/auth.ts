/**
 * Bearer-token checks for the API listener. A missing, unknown, expired or revoked token gets
 * 302 Found to GRIP's login page with an empty body, on both APIs: the APIs page's response table
 * ("302 Found: your access token is incorrect or does not have access to KPN Things") covers the
 * one host both APIs share. The current API can be switched to the Getting Started page's
 * "401 Unauthorized" reading (problem+json) with the `badTokenStatus` setting.
 */
import { ReplyError, SimError, header, type RequestContext } from './http';
import type { SimState } from './state';
import { TOKEN_FAILURE_DETAIL } from './tokens';

/** Returns the API key the token was issued to, or throws the failure reply. */
export function requireToken(ctx: RequestContext, state: SimState, style: 'current' | 'beta'): string {
  const check = state.tokens.check(header(ctx.headers, 'authorization'));
  if (check.ok) return check.apiKey;
  if (style === 'beta' || state.badTokenStatus === 302) {
    throw new ReplyError({ status: 302, headers: { location: `${state.gripUrl}/login` }, body: '' });
  }
  throw new SimError(401, TOKEN_FAILURE_DETAIL[check.reason], undefined, {
    'www-authenticate': check.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"',
  });
}
