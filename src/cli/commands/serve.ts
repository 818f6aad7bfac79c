import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { startServer } from '../../serve/server.ts';
import { parseListen, isLoopback } from '../../serve/listen.ts';
import { say } from '../../util/progress.ts';
import { ensureTools } from '../../host/tools.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'Serve an imported repository under Nexus-style paths: /repository/raw/<path>, /repository/git/<name>.git.',
  usage: '--root DIR [--listen 127.0.0.1:PORT]',
  options: {
    root: { help: 'the repository directory written by airgap import --to', type: 'string', dir: 'exists' },
    listen: { help: 'address:port; loopback unless you name another address', type: 'string', default: '127.0.0.1:8081' },
    quiet: { help: 'do not log requests', type: 'boolean' },
  },
  details: 'Runs until interrupted (Ctrl-C / SIGTERM). git clone http://HOST:PORT/repository/git/<name>.git works.',
  async run({ values, global }) {
    const root = need(values.root, '--root', serve);
    ensureTools(['git']);
    const at = parseListen(values.listen);
    if (!isLoopback(at.host)) say(`warning: serving on ${at.host}, reachable beyond this machine`);
    const s = await startServer(root, at, values.quiet ? undefined : (l) => say(l));
    if (global.json) process.stdout.write(JSON.stringify({ url: s.url, root }) + '\n');
    else process.stdout.write(`serving ${root} at ${s.url}/repository/\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { s.close().then(resolve); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
