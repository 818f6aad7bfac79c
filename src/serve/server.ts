import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { Repository } from '../repository/layout.ts';
import type { RepositoryFormat } from '../repository/formats.ts';
import { REPOSITORY_PREFIX, repositoryPath } from '../repository/urls.ts';
import { Store } from '../store/store.ts';
import { unsafePathReason } from '../util/paths.ts';
import { serveRaw } from './raw.ts';
import { serveGit } from './git-http.ts';
import { registryHandler } from './registry.ts';
import { servePypi } from './pypi.ts';
import { listenError, type ListenAddress } from './listen.ts';
import { Uploads, type UploadLimits } from './uploads.ts';
import { ANONYMOUS_TOKEN, carriesToken, createPushAccess, defaultPushDir, removePushAccess, type PushAccess } from './push-access.ts';

export interface RunningServer {
  url: string;
  server: Server;
  /** the push socket and token (ADR-0020); absent when started with push: false */
  push?: PushAccess;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** where the push socket and credentials go (default: defaultPushDir); false: nobody may push */
  pushDir?: string | false;
  /** let a push move a tag that import wrote */
  replace?: boolean;
  uploads?: Partial<UploadLimits>;
}

export interface HandlerOptions {
  mayPush?: (req: IncomingMessage) => boolean;
  issueToken?: (req: IncomingMessage) => string | undefined;
  replace?: boolean;
  uploads?: Uploads;
}

/**
 * The embedded repository server: Nexus-style paths `/repository/<repo>/…`, each repository
 * served by the handler of its format (repositories.json, written by import). Every path is
 * decoded once and checked before it touches the filesystem.
 */
export function handler(repoRoot: string, log: (line: string) => void = () => {}, o: HandlerOptions = {}) {
  const repo = new Repository(repoRoot);
  const registry = registryHandler(repo.store, {
    mayPush: o.mayPush ?? (() => false), issueToken: o.issueToken ?? anonymousOnly, anonymousToken: (req) => req.headers.authorization === `Bearer ${ANONYMOUS_TOKEN}`, replace: o.replace, uploads: o.uploads ?? new Uploads(uploadStore(repoRoot)) });
  return async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    try {
      // Split the raw target ourselves: new URL() would quietly resolve "..", hiding the attempt.
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const pathname = q === -1 ? target : target.slice(0, q);
      const url = { pathname, search: q === -1 ? '' : target.slice(q) };
      if (!pathname.startsWith('/')) return void res.writeHead(400).end('bad request target\n');
      const segments = pathname.split('/').slice(1);
      let decoded: string[];
      try {
        decoded = segments.map((s) => decodeURIComponent(s));
      } catch {
        return void res.writeHead(400).end('bad path encoding\n');
      }
      if (decoded.some((s) => s === '..' || s === '.' || s.includes('/') || s.includes('\0') || s.includes('\\'))) {
        return void res.writeHead(400).end('path traversal refused\n');
      }
      if (url.pathname === '/') return void index(res, await repo.repositories());
      if (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) return await registry(req, res, url.pathname, new URLSearchParams(url.search));
      if (`/${decoded[0]}` !== REPOSITORY_PREFIX || !decoded[1]) return void res.writeHead(404).end('not found\n');
      const name = decoded[1];
      const format = (await repo.repositories())[name] as RepositoryFormat | undefined;
      if (!format) return void res.writeHead(404).end(`no repository "${name}"\n`);
      const rest = decoded.slice(2).filter((s, i, a) => s !== '' || i === a.length - 1);
      const rel = rest.join('/').replace(/\/$/, '');
      if (rel && unsafePathReason(rel)) return void res.writeHead(400).end(`${unsafePathReason(rel)}\n`);
      // dot-directories hold the import's sidecars, never content
      if (rest.some((s) => s.startsWith('.'))) return void res.writeHead(404).end('not found\n');
      const serve = FORMATS[format];
      if (!serve) return void res.writeHead(501).end(`repository format "${format}" is not served yet\n`);
      return await serve(req, res, { dir: join(repoRoot, name), rel, pathname: url.pathname, query: url.search.slice(1) });
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`internal error: ${(err as Error).message}\n`);
    }
  };
}

type FormatHandler = (req: IncomingMessage, res: ServerResponse, at: { dir: string; rel: string; pathname: string; query: string }) => Promise<void>;

/**
 * A handler per repository format (src/repository/formats.ts): the compiler holds this table to
 * that one list, so a format cannot be known in one place and missing in the other. oci is served
 * at /v2/, not under /repository/.
 */
const FORMATS: Record<RepositoryFormat, FormatHandler | undefined> = {
  raw: (req, res, at) => serveRaw(req, res, at.dir, at.rel || '.', at.pathname),
  apt: (req, res, at) => serveRaw(req, res, at.dir, at.rel || '.', at.pathname),
  pypi: (req, res, at) => servePypi(req, res, at.dir, at.rel || '.', at.pathname),
  git: (req, res, at) => serveGit(req, res, at.dir, `/${at.rel}`, at.query),
  oci: undefined,
};

function index(res: ServerResponse, repos: Record<string, string>) {
  const body = JSON.stringify({ repositories: Object.entries(repos).map(([name, format]) => ({ name, format, url: repositoryPath(name, '') })) }, null, 2) + '\n';
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
}

const anonymousOnly = (req: IncomingMessage) => (req.headers.authorization ? undefined : ANONYMOUS_TOKEN);

/** Upload sessions write into a directory of their own, so sweeping it touches nothing of import's. */
function uploadStore(repoRoot: string): Store {
  return new Store(repoRoot, { tmpDir: join(repoRoot, '.airgap', 'uploads') });
}

function listen(server: Server, at: ListenAddress | string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(typeof at === 'string' ? err : listenError(err, at)));
    const done = () => { server.removeAllListeners('error'); resolve(); };
    if (typeof at === 'string') server.listen(at, done);
    else server.listen(at.port, at.host, done);
  });
}

const closeOne = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

/**
 * The server on its TCP address, where anyone may read and only the token pushes, and on its
 * push socket, where every connection may push (ADR-0020). The socket's directory is made only
 * once the TCP address is ours: whatever an earlier server there left behind is stale.
 */
export async function startServer(repoRoot: string, at: ListenAddress, log?: (line: string) => void, o: ServeOptions = {}): Promise<RunningServer> {
  const uploads = new Uploads(uploadStore(repoRoot), o.uploads, log);
  let push: PushAccess | undefined;
  const trusted = new WeakSet<Socket>();
  const mayPush = (req: IncomingMessage) => !!push && (trusted.has(req.socket) || carriesToken(req, push.token));
  const issueToken = (req: IncomingMessage) => (!req.headers.authorization ? ANONYMOUS_TOKEN : push && carriesToken(req, push.token) ? push.token : undefined);
  const h = handler(repoRoot, log, { mayPush, issueToken, replace: o.replace, uploads });
  const server = createServer(h);
  await listen(server, at);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : at.port;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  const servers = [server];
  try {
    await uploads.start();
    if (o.pushDir !== false) {
      push = await createPushAccess(o.pushDir ?? defaultPushDir(at.host, port), at.host, port);
      const local = createServer(h);
      local.on('connection', (s) => trusted.add(s));
      await listen(local, push.socket);
      servers.push(local);
    }
  } catch (err) {
    await uploads.stop();
    await Promise.all(servers.map(closeOne));
    if (push) await removePushAccess(push);
    throw err;
  }
  return {
    url: `http://${host}:${port}`,
    server,
    push,
    close: async () => {
      await Promise.all(servers.map(closeOne));
      await uploads.stop();
      if (push) await removePushAccess(push);
    },
  };
}
