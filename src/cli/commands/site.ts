import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.ts';
import { print } from '../output.ts';
import { isLoopback, parseListen } from '../../serve/listen.ts';
import { loadCatalog } from '../../runner/catalog.ts';
import { startRunner } from '../../runner/server.ts';
import { newToken, tokenFromEnv } from '../../runner/token.ts';
import { UsageError } from '../../util/errors.ts';

/** The project's own runbooks, wherever airgap is run from. */
const RUNBOOKS = fileURLToPath(new URL('../../../runbooks/', import.meta.url));

async function readPem(file: string, what: string): Promise<Buffer> {
  return readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${what} ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'give a PEM file, e.g. made with openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem');
  });
}

export const site: Command = {
  name: 'site',
  summary: 'Serve the built documentation site with the runbook runner: run runbooks from their pages, on this machine.',
  usage: 'serve [--listen 127.0.0.1:PORT] [--site DIR] [--runbooks DIR] [--version V] [--tls-cert FILE --tls-key FILE]',
  positionals: [{ name: 'serve', help: 'the only action: serve the site and the runner until interrupted' }],
  options: {
    listen: { help: 'address:port; a loopback address unless --tls-cert and --tls-key are given too (port 0: any free port)', type: 'string', default: '127.0.0.1:4455' },
    site: { help: 'the built site (npm run site:build)', type: 'string', default: 'site/dist' },
    runbooks: { help: 'the directory of runbook scripts that may run (default: the project\'s runbooks/)', type: 'string' },
    version: { help: 'the release a run is recorded under when neither its parameters nor its evidence name one (default: unversioned)', type: 'string' },
    'tls-cert': { help: 'PEM certificate: serve HTTPS (needed, with --tls-key, to listen beyond loopback)', type: 'string' },
    'tls-key': { help: 'PEM private key of --tls-cert', type: 'string' },
  },
  evidence: true,
  details: [
    'Prints the URL to open, with a fresh random token in its fragment (AIRGAP_RUNNER_TOKEN sets it instead, for automation).',
    'Every /api/ request needs the token (Authorization: Bearer), a Host naming this runner and, when a browser sends one, its own Origin.',
    'Each run is a child process (node runbooks/<id>.ts --flag=value…, no shell), one per runbook at a time; secrets go in its environment, masked in its log.',
    'Evidence goes to --results (default ./results or $AIRGAP_RESULTS); each run appends an audit line to results/<version>/runs/runs.jsonl and keeps its log beside it.',
    'Runs until Ctrl-C or SIGTERM, which stop any runbook still running (recorded as cancelled).',
  ].join('\n'),
  async run({ positionals, values, global }) {
    if (positionals[0] !== 'serve' || positionals.length > 1) throw new UsageError(`site: unknown action "${positionals.join(' ')}"`, `usage: airgap site ${site.usage}`);
    const at = parseListen(values.listen);
    if (at.host === '0.0.0.0' || at.host === '::') throw new UsageError(`--listen ${values.listen}: every address at once is refused`, 'name the one address to listen on');
    const [certFile, keyFile] = [values['tls-cert'] as string | undefined, values['tls-key'] as string | undefined];
    if (!!certFile !== !!keyFile) throw new UsageError('--tls-cert and --tls-key go together', 'give both, or neither');
    if (!isLoopback(at.host) && !certFile) {
      throw new UsageError(`--listen ${values.listen} is not a loopback address: the runner would run runbooks for anyone who can reach it, in clear text`, 'listen on 127.0.0.1, or give --tls-cert and --tls-key to serve HTTPS');
    }
    const siteDir = resolve(values.site);
    if (!existsSync(join(siteDir, 'index.html'))) throw new UsageError(`${values.site}: no built site (no index.html)`, 'run npm run site:build first, or give --site DIR');
    const tls = certFile && keyFile ? { cert: await readPem(certFile, '--tls-cert'), key: await readPem(keyFile, '--tls-key') } : undefined;
    const token = tokenFromEnv(process.env) ?? newToken();
    const catalog = await loadCatalog(values.runbooks ?? RUNBOOKS);
    const runner = await startRunner({
      site: siteDir, results: global.resultsDir, catalog, listen: at, tls, token, version: values.version, cwd: process.cwd(), log: global.log,
    });
    const open = `${runner.url}#token=${token}`;
    print(global, { url: runner.url, open, runbooks: [...catalog.keys()], results: global.resultsDir }, [
      `the site and the runbook runner at ${runner.url} (runbooks: ${[...catalog.keys()].join(', ')})`,
      `open ${open}`,
      'The token is in the fragment (#…): browsers never send it to a server. Anyone holding it can run these runbooks as you.',
      'Stop with Ctrl-C or SIGTERM (a runbook still running is stopped too).',
    ].join('\n'));
    await new Promise<void>((done) => {
      const stop = () => { runner.close().then(done); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
