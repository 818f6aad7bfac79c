import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A raw (Nexus "raw hosted") repository: files by path, GET and HEAD, a plain listing for
 * directories. `rel` was already checked by the router; realpath keeps a symlink planted inside the
 * tree from reaching outside it.
 */
export async function serveRaw(req: IncomingMessage, res: ServerResponse, root: string, rel: string, urlPath: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
  const base = await realpath(root).catch(() => undefined);
  const target = await realpath(join(root, rel)).catch(() => undefined);
  if (!base || !target || (target !== base && !target.startsWith(base + sep))) return void res.writeHead(404).end('not found\n');
  const st = await stat(target);
  if (st.isDirectory()) {
    if (!urlPath.endsWith('/')) return void res.writeHead(301, { Location: `${urlPath}/` }).end();
    const names = (await readdir(target, { withFileTypes: true })).map((d) => d.name + (d.isDirectory() ? '/' : '')).sort();
    const body = `<!doctype html><title>${escapeHtml(urlPath)}</title><h1>${escapeHtml(urlPath)}</h1><ul>${names.map((n) => `<li><a href="${encodeURI(n)}">${escapeHtml(n)}</a></li>`).join('')}</ul>\n`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  if (!st.isFile()) return void res.writeHead(404).end('not found\n');
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': st.size,
    'Last-Modified': st.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((resolve, reject) => {
    createReadStream(target).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}
