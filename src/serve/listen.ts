import { isIP } from 'node:net';
import { HostError, UsageError } from '../util/errors.ts';
import { isLoopback } from '../util/loopback.ts';

export interface ListenAddress { host: string; port: number }

/** "127.0.0.1:8081", "[::1]:8081", ":8081" (loopback) or "8081". */
export function parseListen(text: string): ListenAddress {
  const t = text.trim();
  const m = /^\d+$/.test(t) ? ['', undefined, '', t] : /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(t);
  const host = (m?.[1] ?? m?.[2]) || '127.0.0.1';
  const port = Number(m?.[3]);
  if (!m || !(port >= 0 && port < 65536) || (host !== 'localhost' && !isIP(host))) {
    throw new UsageError(`--listen: not an address:port: "${text}"`, 'e.g. --listen 127.0.0.1:8081');
  }
  return { host, port };
}

/** Whether parseListen takes it: for parameter checks that must not throw. */
export function isListen(text: string): boolean {
  try {
    parseListen(text);
    return true;
  } catch {
    return false;
  }
}

// kept here too for the callers that read it with parseListen (moved to util: adr/0023)
export { isLoopback };

/** A failed listen() as the operator can act on it: the address, why, and to choose another. */
export function listenError(err: NodeJS.ErrnoException, at: ListenAddress): Error {
  const why = { EADDRINUSE: 'address in use', EACCES: 'permission denied', EADDRNOTAVAIL: 'no such local address' }[err.code ?? ''];
  return why ? new HostError(`cannot listen on ${at.host}:${at.port}: ${why}`, 'choose another --listen address or port') : err;
}
