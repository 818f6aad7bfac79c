import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * git smart HTTP through `git http-backend` (CGI), read-only: no REMOTE_USER, so receive-pack is
 * refused by git itself. Protocol v2 passes through in GIT_PROTOCOL.
 */
export function serveGit(req: IncomingMessage, res: ServerResponse, projectRoot: string, pathInfo: string, query: string): Promise<void> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: req.headers['content-length'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    };
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let head = Buffer.alloc(0);
    let headersDone = false;
    const fail = (status: number, msg: string) => {
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(msg);
    };
    cgi.on('error', () => { fail(500, 'git http-backend unavailable\n'); resolve(); });
    cgi.stderr.resume();
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        if (!res.write(chunk)) { cgi.stdout.pause(); res.once('drain', () => cgi.stdout.resume()); }
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sepAt = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sepAt === -1) { sepAt = head.indexOf('\n\n'); sepLen = 2; }
      if (sepAt === -1) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sepAt).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = parseInt(v, 10) || 200;
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(sepAt + sepLen));
    });
    cgi.stdout.on('end', () => {
      if (!headersDone) fail(502, 'git http-backend gave no response\n');
      else res.end();
      resolve();
    });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    res.on('close', () => { if (cgi.exitCode === null) cgi.kill(); });
  });
}
