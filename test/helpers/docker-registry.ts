import { onCleanup } from './cleanup.ts';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { createServer } from 'node:http';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { createPrivateKey, sign, randomUUID, X509Certificate } from 'node:crypto';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitHttp(url: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      return;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`${url} did not come up`);
}

export interface Registry { host: string; url: string; stop(): void }

/**
 * Debian's docker-registry (distribution 2.8) on loopback, optionally with htpasswd (Basic) or
 * token auth; stopped by PID after the file's tests.
 */
export async function dockerRegistry(dir: string, auth?: { basic?: { user: string; password: string }; token?: TokenServer }): Promise<Registry> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: { level: warn }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } }`,
    `http: { addr: 127.0.0.1:${port}, secret: local-test-only }`,
    'health: { storagedriver: { enabled: false } }',
  ];
  if (auth?.basic) {
    const htpasswd = execFileSync('htpasswd', ['-Bbn', auth.basic.user, auth.basic.password]).toString();
    await writeFile(join(dir, 'htpasswd'), htpasswd);
    lines.push(`auth: { htpasswd: { realm: test-realm, path: ${join(dir, 'htpasswd')} } }`);
  }
  if (auth?.token) {
    lines.push(`auth: { token: { realm: ${auth.token.url}/token, service: test-registry, issuer: test-issuer, rootcertbundle: ${auth.token.certPath} } }`);
  }
  await writeFile(join(dir, 'config.yml'), lines.join('\n') + '\n');
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  onCleanup(stop);
  await waitHttp(`http://127.0.0.1:${port}/v2/`).catch((e) => { stop(); throw new Error(`${e.message}\n${stderr}`); });
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, stop };
}

export interface TokenServer { url: string; certPath: string; requests: number }

/**
 * A token server after the distribution token spec: Basic-authenticated users get what they ask
 * for, anonymous callers only pull. ES256 JWTs with the issuer certificate in x5c.
 */
export async function tokenServer(dir: string, users: Record<string, string>): Promise<TokenServer> {
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=test-token-issuer'], { stdio: 'ignore' });
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString('base64');
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const state: TokenServer = { url: '', certPath, requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    const u = new URL(req.url ?? '/', 'http://x');
    const authz = req.headers.authorization;
    let user: string | undefined;
    if (authz?.startsWith('Basic ')) {
      const [name, pw] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
      if (users[name] !== pw) return void res.writeHead(401).end('bad credentials');
      user = name;
    }
    const access = u.searchParams.getAll('scope').map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: user ? actions.split(',') : actions.split(',').filter((a) => a === 'pull') };
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ typ: 'JWT', alg: 'ES256', x5c: [certDer] });
    const body = b64({ iss: 'test-issuer', sub: user ?? '', aud: u.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access });
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${head}.${body}.${sig}`, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  onCleanup(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return state;
}
