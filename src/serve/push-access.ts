import { randomBytes, timingSafeEqual } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { AirgapError } from '../util/errors.ts';
import type { Credentials } from '../oci/credentials.ts';

/**
 * Who may push to the served registry (ADR-0020). Anonymous clients read; a push needs either
 *  - a connection on the server's push socket (a Unix socket in a 0700 directory: reaching it
 *    already proves you are the server's user, so it needs no secret; the build sandbox's bridge
 *    connects there), or
 *  - the server's push token, as the password of HTTP Basic (any user name) or as a Bearer token.
 * Both live in the push directory, which is found from the server's address alone, so a build on
 * the same host needs no flag and no secret handed to it.
 */
export const PUSH_SOCKET = 'push.sock';
/** docker's config.json and containers-auth.json at once: DOCKER_CONFIG=DIR or REGISTRY_AUTH_FILE=DIR/config.json */
export const AUTH_FILE = 'config.json';
export const PUSH_USER = 'airgap';
/** what the token endpoint gives a client without credentials: it reads, as it could without */
export const ANONYMOUS_TOKEN = 'anonymous';

export interface PushAccess { dir: string; socket: string; authFile: string; token: string }

/** host:port as the registry is named (brackets around IPv6), and as a file name */
function registryName(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Where the server at host:port keeps its push socket and credentials: /run/airgap/serve/<host>_<port>
 * for root, else under $XDG_RUNTIME_DIR or a per-user directory in /tmp. Directories only its user
 * can enter, so nobody else can read the token or plant a socket there.
 */
export function defaultPushDir(host: string, port: number): string {
  const h = host === 'localhost' ? '127.0.0.1' : host;
  const uid = process.getuid?.() ?? 0;
  const base = uid === 0 ? '/run/airgap/serve' : process.env.XDG_RUNTIME_DIR ? join(process.env.XDG_RUNTIME_DIR, 'airgap-serve') : join(tmpdir(), `airgap-serve-${uid}`);
  return join(base, `${h.replace(/[^0-9A-Za-z.]/g, '_')}_${port}`);
}

/**
 * A directory we created or that is ours and closed to others, in a parent that is ours or root's
 * (whoever owns the parent could swap the directory): anything else is not trusted.
 */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.() ?? 0;
  const s = await lstat(dir);
  const p = await lstat(dirname(dir));
  if (!s.isDirectory() || s.uid !== uid) throw new AirgapError(`push directory ${dir} is not a directory owned by uid ${uid}`, { exitCode: 2, hint: 'remove it, or name another with --push-dir' });
  if (p.uid !== uid && p.uid !== 0) throw new AirgapError(`push directory ${dir} is in ${dirname(dir)}, owned by uid ${p.uid}: that user could replace it`, { exitCode: 2, hint: 'name a --push-dir in a directory of your own' });
  await chmod(dir, 0o700);
}

/** Make the push directory for a server that now owns host:port: a fresh token, any earlier socket gone. */
export async function createPushAccess(dir: string, host: string, port: number): Promise<PushAccess> {
  await privateDir(dir);
  const token = randomBytes(32).toString('base64url');
  const socket = join(dir, PUSH_SOCKET);
  const authFile = join(dir, AUTH_FILE);
  // An earlier server on this address that died leaves a socket nobody answers: remove it. One
  // that answers is a live server on the same address in another network namespace (/run is
  // shared between them): taking its directory would cut its builds off.
  if (await answers(socket)) throw new AirgapError(`push socket ${socket} belongs to another running airgap serve (the same address in another network namespace?)`, { exitCode: 2, hint: 'give this server its own --push-dir' });
  await rm(socket, { force: true });
  const auth = Buffer.from(`${PUSH_USER}:${token}`).toString('base64');
  await rm(authFile, { force: true });
  await writeFile(authFile, JSON.stringify({ auths: { [registryName(host, port)]: { auth } } }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return { dir, socket, authFile, token };
}

/** Whether something accepts connections on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ path });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Only what is still ours: another server may have taken the directory since (its token in the file). */
export async function removePushAccess(a: PushAccess): Promise<void> {
  const still = await readFile(a.authFile, 'utf8').then((t) => t.includes(Buffer.from(`${PUSH_USER}:${a.token}`).toString('base64')), () => false);
  if (!still) return;
  await rm(a.socket, { force: true });
  await rm(a.authFile, { force: true });
  // only when empty: a --push-dir may hold the operator's own files
  await rmdir(a.dir).catch(() => {});
}

/**
 * What a build on this host finds for the server at `serverUrl` (host an IP or localhost): the push
 * socket and the credentials, when the directory is there and belongs to this user or root.
 */
export function findPushAccess(serverUrl: string, dir?: string): { socket?: string; credentials?: Credentials; dir: string } | undefined {
  const u = new URL(serverUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const d = dir ?? defaultPushDir(host, port);
  const uid = process.getuid?.() ?? 0;
  const owned = (p: string) => {
    try {
      const s = lstatSync(p);
      return s.uid === uid || s.uid === 0 ? s : undefined;
    } catch {
      return undefined;
    }
  };
  const ds = owned(d);
  if (!ds?.isDirectory() || (ds.mode & 0o077) !== 0) return undefined;
  const socket = owned(join(d, PUSH_SOCKET))?.isSocket() ? join(d, PUSH_SOCKET) : undefined;
  let credentials: Credentials | undefined;
  try {
    const auths = JSON.parse(readFileSync(join(d, AUTH_FILE), 'utf8')).auths as Record<string, { auth: string }>;
    const [username, ...rest] = Buffer.from(Object.values(auths)[0].auth, 'base64').toString('utf8').split(':');
    credentials = { username, password: rest.join(':') };
  } catch {
    credentials = undefined;
  }
  return socket || credentials ? { socket, credentials, dir: d } : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the request carries the token: Basic with it as the password (any user), or Bearer. */
export function carriesToken(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^(Basic|Bearer)\s+(\S+)$/i.exec(h.trim());
  if (!m) return false;
  if (m[1].toLowerCase() === 'bearer') return same(m[2], token);
  const text = Buffer.from(m[2], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon >= 0 && same(text.slice(colon + 1), token);
}
