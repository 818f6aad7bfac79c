#!/usr/bin/env node
/**
 * Runbook "serve" (Env B): serve the imported repository under Nexus-style paths until
 * interrupted. It writes no evidence: the requests it answers are logged on stderr. The page is
 * runbooks/serve.mdx.
 */
import { z } from 'zod';
import { startServer } from '../src/serve/server.ts';
import { isListen, isLoopback, parseListen } from '../src/serve/listen.ts';
import { ensureTools } from '../src/host/tools.ts';
import { main, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'serve', title: 'Serve the imported repository', environment: 'B (disconnected)' };

export const schema = z.object({
  root: z.string().describe('the repository directory written by the import runbook (--to)'),
  listen: z.string().default('127.0.0.1:8081').refine(isListen, 'not an address:port, e.g. 127.0.0.1:8081').describe('address:port; loopback unless you name another address'),
  quiet: z.boolean().default(false).describe('do not log requests'),
}).strict();

export type ServeParams = z.output<typeof schema>;

export function plan(p: ServeParams): string[] {
  return [
    `Serve ${p.root} at http://${p.listen}/repository/ (raw files, git, PyPI, apt, the /v2/ registry)${isLoopback(parseListen(p.listen).host) ? '' : ', reachable beyond this machine'}`,
    `Run until stopped (Ctrl-C, SIGTERM, or Cancel on the page)${p.quiet ? '' : ', logging each request'}`,
    'Write nothing to the repository but what builds push to /v2/ (anonymous clients only read; tags import wrote stay as imported)',
  ];
}

/** Serves until SIGINT or SIGTERM, then closes the server and returns 0. */
export async function run(p: ServeParams, ctx: RunContext): Promise<number> {
  ensureTools(['git']);
  const at = parseListen(p.listen);
  if (!isLoopback(at.host)) ctx.log(`warning: serving on ${at.host}, reachable beyond this machine`);
  const s = await startServer(p.root, at, p.quiet ? undefined : ctx.log);
  ctx.echo(`serving ${p.root} at ${s.url}/repository/`);
  ctx.echo(`  index        curl ${s.url}/`);
  ctx.echo(`  raw files    curl -O ${s.url}/repository/raw/<path>`);
  ctx.echo(`  git          git clone ${s.url}/repository/git/<name>.git`);
  // ADR-0020: anyone pulls; airgap build on this host pushes through the socket, people with the token file
  if (s.push) ctx.echo(`  push         socket ${s.push.socket} (airgap build finds it); by hand: DOCKER_CONFIG=${s.push.dir} docker push …`);
  ctx.echo('stop with Ctrl-C or SIGTERM');
  await new Promise<void>((resolve) => {
    const stop = () => { s.close().then(resolve); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.echo('stopped');
  return 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
