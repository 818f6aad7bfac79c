import type { Command } from '../command.ts';
import { preflight } from '../../preflight/checks.ts';
import { print } from '../output.ts';
import { parseSize } from '../../util/size.ts';
import { parseUserUrl } from '../../util/url.ts';

export const preflightCmd: Command = {
  name: 'preflight',
  summary: 'Check this machine is ready: tools, disk for the store, the repository server, the sandbox, and egress really blocked from it.',
  usage: '[<release-or-bundle-dir>] [--store DIR] [--server URL] [--min-free SIZE]',
  positionals: [{ name: 'release-or-bundle-dir', help: 'optional: its lock sizes the disk check (twice the artifacts: store and repository)' }],
  options: {
    store: { help: 'where the store is (or will be)', type: 'string', default: '.work/store' },
    server: { help: 'the repository server builds will use', type: 'string', default: 'http://127.0.0.1:8081' },
    'min-free': { help: 'free space wanted when no lock says more', type: 'string', default: '10G' },
  },
  details: 'The egress check starts the build sandbox and tries http://1.1.1.1/ and a lookup of example.org from inside: both must fail, and be recorded. Exit 0 when every check holds, 1 otherwise (each failure says what to do).',
  async run({ positionals, values, global }) {
    const minFree = parseSize(values['min-free'], { what: '--min-free' });
    parseUserUrl(values.server, '--server'); // checked here, passed on as written
    const checks = await preflight({ dir: positionals[0], store: values.store, serverUrl: values.server, minFree }, global.log);
    const ok = checks.every((c) => c.ok);
    const lines = checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}${c.fix ? `\n        → ${c.fix}` : ''}`);
    print(global, { ok, checks }, [...lines, ok ? 'ready' : `not ready: ${checks.filter((c) => !c.ok).length} check(s) failed`].join('\n'));
    return ok ? 0 : 1;
  },
};
