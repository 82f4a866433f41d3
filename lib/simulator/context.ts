/**
 * Which client's data a call sees: the API key's own client, or (for resellers) one customer
 * named by `KPN-Things-Security-Context: client:uuid:{id}` or by the legacy `x-client-id`
 * header after a context switch.
 */
import { header, SimError, badRequest, type RequestContext } from './http';
import { isUuid } from './random';
import type { SimState } from './state';

export const SECURITY_CONTEXT_HEADER = 'kpn-things-security-context';
export const LEGACY_CLIENT_HEADER = 'x-client-id';

export interface Scope {
  /** The client whose data is visible. */
  clientId: string;
  own: boolean;
}

export function resolveScope(ctx: RequestContext, state: SimState, apiKey: string): Scope {
  const own: Scope = { clientId: state.data.ownClient.id, own: true };
  const context = header(ctx.headers, SECURITY_CONTEXT_HEADER);
  const legacy = header(ctx.headers, LEGACY_CLIENT_HEADER);
  if (context !== undefined && legacy !== undefined) {
    throw badRequest(
      `Send either the KPN-Things-Security-Context header or the x-client-id header, not both.`,
    );
  }
  if (context !== undefined) {
    const match = /^client:uuid:([0-9a-fA-F-]{36})$/.exec(context.trim());
    if (!match || !isUuid(match[1])) {
      throw badRequest(
        `The KPN-Things-Security-Context header must be exactly one value of the form 'client:uuid:{clientId}'.`,
      );
    }
    return scopeFor(match[1].toLowerCase(), state, own);
  }
  if (legacy !== undefined) {
    const clientId = legacy.trim().toLowerCase();
    if (!isUuid(clientId)) throw badRequest('The x-client-id header must be one client id (a UUID).');
    if (clientId !== own.clientId && !state.contextSwitches.has(switchKey(apiKey, clientId))) {
      throw new SimError(
        403,
        'No context switch to this client: call /api/v1/lifecycle/clients/{clientId}/context-switch first.',
      );
    }
    return scopeFor(clientId, state, own);
  }
  return own;
}

function scopeFor(clientId: string, state: SimState, own: Scope): Scope {
  if (clientId === own.clientId) return own;
  if (state.data.clientsById.get(clientId)?.parentId !== own.clientId) {
    throw new SimError(403, 'This API key has no access to the requested client.');
  }
  return { clientId, own: false };
}

export function switchKey(apiKey: string, clientId: string): string {
  return `${apiKey} ${clientId}`;
}
