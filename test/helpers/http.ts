import { onCleanup } from './cleanup.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type Route = (req: IncomingMessage, res: ServerResponse, hits: number) => void | Promise<void>;

/**
 * A loopback HTTP server whose answers the test scripts per path (503s, lies, trickles), counting
 * hits. Stopped after the file's tests.
 */
export async function scriptedServer(routes: Record<string, Route>) {
  const hits: Record<string, number> = {};
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const route = routes[path];
    if (!route) return void res.writeHead(404).end('not found');
    try {
      await route(req, res, hits[path]);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, hits, routes, close };
}

/** Send `body` slowly: `chunk` bytes every `everyMs`. */
export async function trickle(res: ServerResponse, body: Buffer, chunk: number, everyMs: number) {
  res.writeHead(200, { 'Content-Length': body.length });
  for (let i = 0; i < body.length && !res.destroyed; i += chunk) {
    res.write(body.subarray(i, i + chunk));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  res.end();
}
