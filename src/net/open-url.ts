import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { FetchError } from '../util/errors.ts';

export interface Remote {
  body: AsyncIterable<Uint8Array>;
  /** from Content-Length or the file size, when known */
  size?: number;
}

/**
 * Open a URL for streaming: http(s) through fetch, file:// from disk (operators in Env A often
 * already hold a tarball locally). Non-2xx is a FetchError carrying the status so retry logic can
 * tell a 503 from a 404.
 */
export async function openUrl(url: string, init: RequestInit = {}): Promise<Remote> {
  const u = new URL(url);
  if (u.protocol === 'file:') {
    const path = fileURLToPath(u);
    const st = await stat(path).catch((err) => { throw new FetchError(url, err.code === 'ENOENT' ? 'no such file' : err.message); });
    return { body: createReadStream(path, { highWaterMark: 1 << 20 }), size: st.size };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(url, `unsupported scheme ${u.protocol}`, 400);
  const res = await fetch(url, { redirect: 'follow', ...init }).catch((err) => { throw FetchError.unreached(url, err); });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new FetchError(url, `HTTP ${res.status} ${res.statusText}`, res.status);
  }
  const len = res.headers.get('content-length');
  return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), size: len ? Number(len) : undefined };
}
