import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { serveRaw } from './raw.ts';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

/** q-value of a media type in an Accept header (0 when absent). */
function quality(accept: string, type: string): number {
  for (const part of accept.split(',')) {
    const [t, ...params] = part.trim().split(';').map((s) => s.trim());
    if (t !== type && !(t === '*/*' && type === 'text/html')) continue;
    const q = params.find((p) => p.startsWith('q='));
    return q ? Number(q.slice(2)) : 1;
  }
  return 0;
}

/**
 * A PyPI "simple" repository laid down as static files by import: PEP 691 JSON or PEP 503 HTML for
 * the same URL by the Accept header (pip asks for JSON first), files and their PEP 658 `.metadata`
 * as plain files. Sidecars (dot-directories) are not served.
 */
export async function servePypi(req: IncomingMessage, res: ServerResponse, root: string, rel: string, urlPath: string): Promise<void> {
  if (rel.split('/').some((s) => s.startsWith('.'))) return void res.writeHead(404).end('not found\n');
  if (rel === 'simple' || rel.startsWith('simple/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    if (!urlPath.endsWith('/')) return void res.writeHead(301, { Location: `${urlPath}/` }).end();
    const accept = String(req.headers.accept ?? 'text/html');
    const jq = Math.max(quality(accept, JSON_TYPE), quality(accept, 'application/vnd.pypi.simple.latest+json'));
    const json = jq > 0 && jq >= Math.max(quality(accept, 'text/html'), quality(accept, 'application/vnd.pypi.simple.v1+html'), quality(accept, 'application/vnd.pypi.simple.latest+html'));
    const body = await readFile(join(root, rel, json ? 'index.json' : 'index.html')).catch(() => undefined);
    if (!body) return void res.writeHead(404).end('not found\n');
    res.writeHead(200, { 'Content-Type': json ? JSON_TYPE : 'text/html; charset=utf-8', 'Content-Length': body.length, Vary: 'Accept' });
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  return serveRaw(req, res, root, rel, urlPath);
}
