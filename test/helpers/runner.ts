import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';

const BIN = join(import.meta.dirname, '../../bin/airgap.js');

export interface StartedRunner {
  /** `http://127.0.0.1:PORT` (no trailing slash) */
  origin: string;
  /** what it printed after "open ": the URL with the token in its fragment */
  open: string;
  token: string;
  host: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, as Ctrl-C would; resolves with the exit code */
  stop(): Promise<number | null>;
}

/** `airgap site serve … --listen 127.0.0.1:0` as an operator starts it; stopped after the file's tests. */
export function startRunner(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StartedRunner> {
  const child = spawn(process.execPath, [BIN, 'site', 'serve', '--listen', '127.0.0.1:0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  onCleanup(stop);
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^open ((https?:\/\/([^/]+))\/#token=(\S+))$/m.exec(out);
      if (m) resolve({ open: m[1], origin: m[2], host: m[3], token: m[4], child, stdout: () => out, stderr: () => err, stop });
    });
    exited.then((code) => reject(new Error(`airgap site serve exited ${code} before printing its URL:\n${out}${err}`)));
  });
}

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: any }

/** One HTTP(S) request with any headers (Host too, which fetch will not set). */
export function call(url: string, o: { method?: string; headers?: Record<string, string>; body?: unknown; ca?: Buffer } = {}): Promise<Reply> {
  const u = new URL(url);
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers = { ...(body !== undefined && typeof o.body !== 'string' ? { 'Content-Type': 'application/json' } : {}), ...o.headers };
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, ca: o.ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode!, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The runner's API as the page calls it: its token, its own origin. */
export function api(r: StartedRunner) {
  const auth = { Authorization: `Bearer ${r.token}` };
  return {
    get: (path: string) => call(`${r.origin}${path}`, { headers: auth }),
    post: (path: string, body: unknown = {}) => call(`${r.origin}${path}`, { headers: { ...auth, Origin: r.origin }, body }),
    /** starts a run, follows its log to the end, and returns the log and the run as recorded */
    async run(runbook: string, params: Record<string, unknown>, dryRun = false) {
      const started = await call(`${r.origin}/api/runbooks/${runbook}/runs`, { headers: { ...auth, Origin: r.origin }, body: { params, dryRun } });
      if (started.status !== 202) throw new Error(`run ${runbook}: HTTP ${started.status}: ${started.body}`);
      const log = await call(`${r.origin}/api/runs/${started.json.run.id}/log`, { headers: auth });
      const done = await call(`${r.origin}/api/runs/${started.json.run.id}`, { headers: auth });
      return { plan: started.json.plan as string[], log: log.body, run: done.json.run };
    },
  };
}
