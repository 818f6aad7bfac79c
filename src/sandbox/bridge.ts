import { createConnection, createServer, type Server, type Socket } from 'node:net';

function splice(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => { a.destroy(); b.destroy(); };
  a.on('error', end); b.on('error', end); a.on('close', end); b.on('close', end);
}

/**
 * The sandbox's one way out, in two halves joined by a Unix socket (a file, so it crosses the
 * network namespace where no packet can): outside, `toServer` accepts on the socket and connects
 * to the repository server; inside, `toSocket` accepts on the server's own loopback address and
 * port and connects to the socket. The build sees the server at the URL it has outside. Outside,
 * the server is its TCP address or, on the same host, its push socket (ADR-0020): then what the
 * build pushes is admitted without a secret ever entering the sandbox.
 */
export async function toServer(socketPath: string, server: { host: string; port: number } | { path: string }): Promise<Server> {
  const s = createServer((c) => splice(c, createConnection(server)));
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(socketPath, () => resolve()); });
  return s;
}

export async function toSocket(host: string, port: number, socketPath: string): Promise<Server> {
  const s = createServer((c) => splice(c, createConnection({ path: socketPath })));
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, host, () => resolve()); });
  return s;
}

export const closeServer = (s: Server) => new Promise<void>((r) => { s.close(() => r()); });
