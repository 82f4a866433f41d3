/**
 * Raw HTTP helpers for tests that talk to the simulator without the client (so they can tell when the
 * client and the simulator disagree): the media types, a list page, and GRIP token requests.
 */
import { strict as assert } from 'node:assert';
import type { Simulator } from '../../lib/simulator';

export const DEVICE_TYPE = 'application/vnd.kpnthings.device.v1.response+json';
export const ACTUATOR_TYPE = 'application/vnd.kpnthings.actuator.v1.response+json';

/** A current-API list page. */
export interface Page {
  items: Record<string, unknown>[];
  next?: string | null;
  prev?: string | null;
}

/** The documented GRIP token URL of `tenant` on this simulator. */
export function tokenUrl(sim: Simulator, tenant = sim.credentials.tenantId): string {
  return `${sim.gripUrl}/v2/${tenant}/oidc/idp/c1/token`;
}

/** A client-credentials token request body with the simulator's credentials, `overrides` applied. */
export function tokenBody(sim: Simulator, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    grant_type: 'client_credentials',
    audience: sim.credentials.applicationId,
    client_id: sim.credentials.clientId,
    client_secret: sim.credentials.clientSecret,
    ...overrides,
  });
}

export function postToken(sim: Simulator, body: string, url = tokenUrl(sim)): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

/** A fresh token (either documented response shape). */
export async function getToken(sim: Simulator): Promise<string> {
  const res = await postToken(sim, tokenBody(sim));
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  const token = body.access_token ?? body.accessToken;
  assert.equal(typeof token, 'string');
  return token as string;
}

export async function readJson<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
