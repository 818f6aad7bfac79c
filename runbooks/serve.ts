#!/usr/bin/env node
/**
 * Runbook "serve" (Env B): serve the imported repository under Nexus-style paths until
 * interrupted. It writes no evidence: the requests it answers are logged on stderr. The page is
 * runbooks/serve.mdx.
 */
import { argv, echo } from 'zx';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { isLoopback, parseListen } from '../src/serve/listen.ts';
import { ensureTools } from '../src/host/tools.ts';
import { say } from '../src/util/progress.ts';
import { entry, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'serve', title: 'Serve the imported repository', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'root', help: 'the repository directory written by the import runbook (--to)', required: true },
  { name: 'listen', help: 'address:port; loopback unless you name another address', default: '127.0.0.1:8081' },
  { name: 'quiet', help: 'do not log requests', boolean: true },
];

export interface ServeParams {
  root: string;
  listen?: string;
  quiet?: boolean;
  log?: (m: string) => void;
}

/** Starts the server and returns it; the caller closes it (`await s.close()`). */
export async function run(p: ServeParams): Promise<RunningServer> {
  ensureTools(['git']);
  const at = parseListen(p.listen ?? '127.0.0.1:8081');
  const log = p.log ?? say;
  if (!isLoopback(at.host)) log(`warning: serving on ${at.host}, reachable beyond this machine`);
  return startServer(p.root, at, p.quiet ? undefined : log);
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const root = str(v.root)!;
    const s = await run({ root, listen: str(v.listen), quiet: v.quiet === true });
    echo(`serving ${root} at ${s.url}/repository/`);
    echo(`  index        curl ${s.url}/`);
    echo(`  raw files    curl -O ${s.url}/repository/raw/<path>`);
    echo(`  git          git clone ${s.url}/repository/git/<name>.git`);
    echo('stop with Ctrl-C or SIGTERM');
    await new Promise<void>((resolve) => {
      const stop = () => { s.close().then(resolve); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    echo('stopped');
    return 0;
  });
}
