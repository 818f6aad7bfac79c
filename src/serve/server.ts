import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { join } from 'node:path';
import { Repository } from '../repository/layout.ts';
import { unsafePathReason } from '../util/paths.ts';
import { serveRaw } from './raw.ts';
import { serveGit } from './git-http.ts';
import { registryHandler } from './registry.ts';
import { servePypi } from './pypi.ts';
import { listenError, type ListenAddress } from './listen.ts';

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The embedded repository server: Nexus-style paths `/repository/<repo>/…`, each repository
 * served by the handler of its format (repositories.json, written by import). Every path is
 * decoded once and checked before it touches the filesystem.
 */
export function handler(repoRoot: string, log: (line: string) => void = () => {}) {
  const repo = new Repository(repoRoot);
  const registry = registryHandler(repo.store);
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
      if (decoded[0] !== 'repository' || !decoded[1]) return void res.writeHead(404).end('not found\n');
      const name = decoded[1];
      const format = (await repo.repositories())[name];
      if (!format) return void res.writeHead(404).end(`no repository "${name}"\n`);
      const rest = decoded.slice(2).filter((s, i, a) => s !== '' || i === a.length - 1);
      const rel = rest.join('/').replace(/\/$/, '');
      if (rel && unsafePathReason(rel)) return void res.writeHead(400).end(`${unsafePathReason(rel)}\n`);
      // dot-directories hold the import's sidecars, never content
      if (rest.some((s) => s.startsWith('.'))) return void res.writeHead(404).end('not found\n');
      if (format === 'raw' || format === 'apt') return await serveRaw(req, res, join(repoRoot, name), rel || '.', url.pathname);
      if (format === 'pypi') return await servePypi(req, res, join(repoRoot, name), rel || '.', url.pathname);
      if (format === 'git') return await serveGit(req, res, join(repoRoot, name), `/${rel}`, url.search.slice(1));
      res.writeHead(501).end(`repository format "${format}" is not served yet\n`);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`internal error: ${(err as Error).message}\n`);
    }
  };
}

function index(res: ServerResponse, repos: Record<string, string>) {
  const body = JSON.stringify({ repositories: Object.entries(repos).map(([name, format]) => ({ name, format, url: `/repository/${name}/` })) }, null, 2) + '\n';
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
}

export function startServer(repoRoot: string, at: ListenAddress, log?: (line: string) => void): Promise<RunningServer> {
  const server = createServer(handler(repoRoot, log));
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, at)));
    server.listen(at.port, at.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : at.port;
      const host = at.host.includes(':') ? `[${at.host}]` : at.host;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
