import type { IncomingMessage } from 'node:http';
import { sameToken } from './token.ts';

/** Who the runner is: the Host values that name it, its own origins, its token. */
export interface Guard {
  hosts: Set<string>;
  origins: Set<string>;
  token: string;
}

export function guardFor(scheme: 'http' | 'https', host: string, port: number, loopback: boolean, token: string): Guard {
  const name = host.includes(':') ? `[${host}]` : host;
  const hosts = new Set([`${name}:${port}`, ...(loopback ? [`localhost:${port}`] : [])]);
  return { hosts, origins: new Set([...hosts].map((h) => `${scheme}://${h}`)), token };
}

export interface Refusal { status: 401 | 403; message: string }

/**
 * The checks every request passes, in this order: Host (a page on another name that resolves to
 * 127.0.0.1, DNS rebinding, is refused), Origin when the browser sends one (another site's
 * script is refused, also for GET), then the token where one is needed (`/api/*`).
 */
export function refusal(req: IncomingMessage, g: Guard, needsToken: boolean): Refusal | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!g.hosts.has(host)) return { status: 403, message: `Host "${host}" is not this runner (${[...g.hosts].join(' or ')}); refused` };
  const origin = req.headers.origin;
  if (origin !== undefined && !g.origins.has(origin.toLowerCase())) return { status: 403, message: `Origin "${origin}" is not this runner's own; refused` };
  if (!needsToken) return undefined;
  const m = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
  if (!m || !sameToken(m[1], g.token)) return { status: 401, message: 'no valid token: send Authorization: Bearer <token> (the token is in the URL that airgap site serve printed)' };
  return undefined;
}
