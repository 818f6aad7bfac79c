import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { z } from 'zod';
import { checkParams, paramsOf } from '../../runbooks/lib/runbook.ts';
import { isLoopback, listenError, type ListenAddress } from '../serve/listen.ts';
import { readRuns } from './audit.ts';
import type { CatalogEntry } from './catalog.ts';
import { guardFor, refusal, type Guard } from './guard.ts';
import { Run } from './run.ts';
import { sendFile } from './static.ts';

export interface RunnerOptions {
  site: string;
  results: string;
  catalog: Map<string, CatalogEntry>;
  listen: ListenAddress;
  tls?: { cert: Buffer; key: Buffer };
  token: string;
  /** the version a run belongs to when neither its parameters nor its evidence say */
  version?: string;
  /** where runbooks run: relative paths in parameters mean what they mean to the operator */
  cwd: string;
  log: (m: string) => void;
}

export interface RunningRunner {
  url: string;
  close(): Promise<void>;
}

/** The parameters that are the runner's to set: evidence goes where the runner serves it from. */
const RUNNER_OWNED = ['results'];

const startBody = z.object({
  params: z.record(z.string(), z.unknown()).default({}),
  /** a dry run unless this is false: the page's default, and the API's */
  dryRun: z.boolean().default(true),
}).strict();

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body) + '\n');
}

const problem = (res: ServerResponse, status: number, error: string, more: Record<string, unknown> = {}) => json(res, status, { error, ...more });

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 << 10) throw new HttpError(413, 'request body over 64 KiB');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const decode = (s: string) => {
  try { return decodeURIComponent(s); } catch { throw new HttpError(400, 'bad path encoding'); }
};

/**
 * The site and the runner on one origin: the built site and results/ as static files, and the
 * runner's API under /api/. Every request passes the guard (Host, Origin); /api/ also needs the
 * token. A runbook runs only from the catalog, with parameters its schema accepts, one run of
 * each runbook at a time.
 */
export async function startRunner(o: RunnerOptions): Promise<RunningRunner> {
  const scheme = o.tls ? 'https' : 'http';
  const runs = new Map<string, Run>();
  const active = new Map<string, Run>();
  const starting = new Set<string>();
  let guard: Guard | undefined;

  async function api(req: IncomingMessage, res: ServerResponse, path: string[]) {
    const method = req.method ?? 'GET';
    const [a, b, c] = path;
    if (a === 'health' && !b) return json(res, 200, { ok: true, runbooks: [...o.catalog.keys()], version: o.version ?? null });
    if (a === 'runbooks' && !b) {
      return json(res, 200, { runbooks: [...o.catalog.values()].map((e) => ({ ...e.runbook.meta, params: paramsOf(e.runbook.schema) })) });
    }
    if (a === 'runbooks' && b && c === 'runs' && path.length === 3) {
      const entry = o.catalog.get(b);
      if (!entry) return problem(res, 404, `no runbook "${b}" (runbooks: ${[...o.catalog.keys()].join(', ')})`);
      if (method !== 'POST') return void res.writeHead(405, { Allow: 'POST' }).end();
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return problem(res, 415, 'send the body as application/json');
      const body = startBody.safeParse(await readJson(req));
      if (!body.success) return problem(res, 400, 'bad request body', { issues: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
      const owned = RUNNER_OWNED.filter((k) => k in body.data.params);
      if (owned.length) return problem(res, 400, 'parameters refused', { issues: owned.map((k) => `${k}: set by the runner (its --results), not by a run`) });
      const checked = checkParams(entry.runbook.schema, body.data.params);
      if (!checked.ok) return problem(res, 400, 'parameters refused', { issues: checked.issues });
      const running = active.get(entry.id);
      if (running) return problem(res, 409, `runbook "${entry.id}" is already running (run ${running.id}); one at a time`, { run: running.summary() });
      const plan = entry.runbook.plan(checked.params);
      // taken before the first await: two requests at once cannot both start it
      if (starting.has(entry.id)) return problem(res, 409, `runbook "${entry.id}" is starting; one at a time`);
      starting.add(entry.id);
      let run: Run;
      try {
        run = await Run.start({ entry, params: checked.params, dryRun: body.data.dryRun, results: o.results, cwd: o.cwd, runnerVersion: o.version, log: o.log });
      } finally {
        starting.delete(entry.id);
      }
      runs.set(run.id, run);
      active.set(entry.id, run);
      o.log(`run ${run.id}: ${entry.id}${run.dryRun ? ' (dry run)' : ''} started`);
      run.done.catch((err) => o.log(`run ${run.id}: could not be recorded: ${(err as Error).message}`)).finally(() => {
        if (active.get(entry.id) === run) active.delete(entry.id);
      });
      return json(res, 202, { run: run.summary(), plan });
    }
    if (a === 'runs' && !b) {
      if (method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
      const recorded = await readRuns(o.results);
      return json(res, 200, { running: [...active.values()].map((r) => r.summary()), versions: recorded });
    }
    const run = a === 'runs' && b ? runs.get(b) : undefined;
    if (a === 'runs' && b && !run) return problem(res, 404, `no run "${b}" since this runner started (past runs: GET /api/runs)`);
    if (run && !c) return json(res, 200, { run: run.summary() });
    if (run && c === 'log' && path.length === 3) {
      // an ended run's log is the file it was saved to
      if (run.record) return await sendFile(req, res, o.results, `/${run.record.log}`, { index: false });
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      const stop = run.follow((chunk) => (chunk === null ? res.end() : res.write(chunk)));
      return void res.on('close', stop);
    }
    if (run && c === 'cancel' && path.length === 3) {
      if (method !== 'POST') return void res.writeHead(405, { Allow: 'POST' }).end();
      if (!run.cancel()) return problem(res, 409, `run ${run.id} is not running (${run.status})`);
      return json(res, 202, { run: run.summary() });
    }
    return problem(res, 404, `no such API: ${method} /api/${path.join('/')}`);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    try {
      const target = req.url ?? '/';
      const pathname = target.split('?')[0];
      const isApi = pathname === '/api' || pathname.startsWith('/api/');
      const refused = refusal(req, guard!, isApi);
      if (refused) {
        if (refused.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
        return problem(res, refused.status, refused.message);
      }
      if (isApi) return await api(req, res, pathname.split('/').slice(2).filter((s, i, all) => s !== '' || i < all.length - 1).map(decode));
      if (pathname.startsWith('/results/')) return await sendFile(req, res, o.results, pathname.slice('/results'.length), { index: false });
      return await sendFile(req, res, o.site, pathname, { index: true, notFound: '404.html' });
    } catch (err) {
      if (err instanceof HttpError) return problem(res, err.status, err.message);
      if (!res.headersSent) problem(res, 500, `internal error: ${(err as Error).message}`);
      else res.end();
    }
  };

  const server: Server = o.tls ? createHttps({ cert: o.tls.cert, key: o.tls.key }, handle) : createHttp(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, o.listen)));
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  guard = guardFor(scheme, o.listen.host, port, isLoopback(o.listen.host), o.token);
  const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host;
  return {
    url: `${scheme}://${host}:${port}/`,
    /** Stops every run still going (recorded as cancelled), then the server. */
    async close() {
      for (const r of active.values()) r.cancel();
      await Promise.allSettled([...active.values()].map((r) => r.done));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
