import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { startServer } from '../../serve/server.ts';
import { parseListen, isLoopback } from '../../serve/listen.ts';
import { DEFAULT_UPLOAD_LIMITS } from '../../serve/uploads.ts';
import { say } from '../../util/progress.ts';
import { parseSize } from '../../util/size.ts';
import { ensureTools } from '../../host/tools.ts';
import { UsageError } from '../../util/errors.ts';
import { repositoryPath, repositoryUrl } from '../../repository/urls.ts';

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what}: not a positive whole number: "${text}"`, `e.g. ${what} 64`);
  return n;
}

export const serve: Command = {
  name: 'serve',
  summary: `Serve an imported repository under Nexus-style paths: ${repositoryPath('raw', '<path>')}, ${repositoryPath('git', '<name>.git')}, and the OCI registry at /v2/.`,
  usage: '--root DIR [--listen 127.0.0.1:PORT] [--push-dir DIR] [--replace] [--upload-max-age S] [--upload-max-count N] [--upload-max-bytes SIZE]',
  options: {
    root: { help: 'the repository directory written by airgap import --to', type: 'string', dir: 'exists' },
    listen: { help: 'address:port; loopback unless you name another address', type: 'string', default: '127.0.0.1:8081' },
    'push-dir': { help: 'where the push socket and the push credentials go (0700; default: /run/airgap/serve/HOST_PORT as root)', type: 'string' },
    replace: { help: 'let a push move a tag that import wrote (refused by default)', type: 'boolean' },
    'upload-max-age': { help: 'seconds an idle upload is kept before it is dropped', type: 'string', default: String(DEFAULT_UPLOAD_LIMITS.maxAgeMs / 1000) },
    'upload-max-count': { help: 'open uploads at most; the oldest idle ones make room', type: 'string', default: String(DEFAULT_UPLOAD_LIMITS.maxCount) },
    'upload-max-bytes': { help: 'bytes held by open uploads at most, e.g. 8G or 500M', type: 'string', default: '8G' },
    quiet: { help: 'do not log requests', type: 'boolean' },
  },
  details: `Runs until interrupted (Ctrl-C / SIGTERM). git clone ${repositoryUrl('http://HOST:PORT', 'git', '<name>.git')} works.
The registry at /v2/ is read-only for anonymous clients. Pushes need either the push socket
(PUSH-DIR/push.sock: \`airgap build\` on this host finds it from --server and its sandbox pushes
through it, no secret) or the push token, a fresh one each start, in PUSH-DIR/config.json (0600):
  REGISTRY_AUTH_FILE=PUSH-DIR/config.json skopeo copy … docker://HOST:PORT/NAME:TAG
  DOCKER_CONFIG=PUSH-DIR docker push HOST:PORT/NAME:TAG
  AIRGAP_REGISTRY_AUTH=HOST:PORT=airgap:TOKEN (TOKEN: the password in config.json; Basic with
  any user name, or Authorization: Bearer TOKEN)
A tag that import wrote keeps its digest: a push that would move it is refused (403 DENIED)
unless --replace.`,
  async run({ values, global }) {
    const root = need(values.root, '--root', serve);
    ensureTools(['git']);
    const at = parseListen(values.listen);
    const uploads = {
      maxAgeMs: positive(values['upload-max-age'], '--upload-max-age')! * 1000,
      maxCount: positive(values['upload-max-count'], '--upload-max-count')!,
      maxBytes: parseSize(values['upload-max-bytes']),
    };
    if (!isLoopback(at.host)) say(`warning: serving on ${at.host}, reachable beyond this machine`);
    const s = await startServer(root, at, values.quiet ? undefined : (l) => say(l), { pushDir: values['push-dir'], replace: values.replace, uploads });
    if (global.json) process.stdout.write(JSON.stringify({ url: s.url, root, pushSocket: s.push?.socket, authFile: s.push?.authFile }) + '\n');
    else {
      process.stdout.write(`serving ${root} at ${repositoryUrl(s.url, '')}\n`);
      if (s.push) process.stdout.write(`push: socket ${s.push.socket}; credentials in ${s.push.authFile} (DOCKER_CONFIG=${s.push.dir})\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => { s.close().then(resolve); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
