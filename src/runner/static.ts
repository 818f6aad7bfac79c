import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { contentType } from '../util/content-type.ts';
import { unsafePathReason } from '../util/paths.ts';

/**
 * A file under `root` by its URL path, GET and HEAD only. The path is decoded once and checked
 * with the same rule as every other place (no "..", no absolute path), and realpath keeps a
 * link inside the tree from reaching outside it. `index`: a directory means its index.html (the
 * site); otherwise only files are served (results/). `notFound` is sent with a 404.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string, o: { index: boolean; notFound?: string }): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
  const miss = async () => {
    const page = o.notFound ? await sendable(root, o.notFound) : undefined;
    if (!page) return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    res.writeHead(404, { 'Content-Type': contentType(page) });
    createReadStream(page).pipe(res);
  };
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return void res.writeHead(400).end('bad path encoding\n');
  }
  if (rel.endsWith('/') || rel === '') rel = o.index ? `${rel}index.html` : rel;
  if (unsafePathReason(rel)) return miss();
  const file = await sendable(root, rel);
  if (!file && o.index && (await sendable(root, `${rel}/index.html`))) return void res.writeHead(301, { Location: `${urlPath}/` }).end();
  if (!file) return miss();
  const st = await stat(file);
  res.writeHead(200, { 'Content-Type': contentType(file), 'Content-Length': st.size });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

/** The real path of a regular file inside root, or undefined. */
async function sendable(root: string, rel: string): Promise<string | undefined> {
  const base = await realpath(root).catch(() => undefined);
  const target = await realpath(join(root, rel)).catch(() => undefined);
  if (!base || !target || !target.startsWith(base + sep)) return undefined;
  return (await stat(target)).isFile() ? target : undefined;
}
