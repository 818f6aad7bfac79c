import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { build, builders } from '../../build/build.ts';
import { print } from '../output.ts';
import { parseHostPort, parseUserUrl } from '../../util/url.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const buildCmd: Command = {
  name: 'build',
  summary: 'Run a builder against the served repository, inside a sandbox that reaches nothing else; record inputs, outputs and every attempt to leave.',
  usage: '<builder> <release-or-bundle-dir> [--server URL] [--registry HOST:PORT] [--push-dir DIR] [--out DIR] [--elements A,B] [-o NAME] [--allow-egress-attempts] [-- CMD…]',
  positionals: [
    { name: 'builder', help: builders.map((b) => `${b.name}: ${b.summary}`).join('; ') },
    { name: 'release-or-bundle-dir', help: 'a directory holding factory.lock.json (its build: section says what to build)' },
  ],
  options: {
    server: { help: 'the repository server (airgap serve) the sandbox may reach', type: 'string', default: 'http://127.0.0.1:8081' },
    registry: { help: 'registry images are pushed to (default: the server itself)', type: 'string' },
    'push-dir': { help: 'the server\'s push directory, if airgap serve was given --push-dir (default: found from --server)', type: 'string' },
    out: { help: 'where outputs and scratch go (default: .work/build/<version>/<builder>)', type: 'string', dir: 'writes' },
    'allow-egress-attempts': { help: 'do not fail the build on attempts to reach anything else (they are still recorded)', type: 'boolean' },
    elements: { help: 'disk-image: the elements, comma-separated (instead of the lock\'s build.disk-image.elements)', type: 'string' },
    output: { help: 'disk-image: the output name stem, NAME.qcow2 (instead of the lock\'s); kolla: which kolla entry of the lock', type: 'string', short: 'o' },
    verbose: { help: 'show the sandboxed commands\' output (it always goes to the build log)', type: 'boolean' },
  },
  evidence: true,
  details: 'Needs root, or user namespaces, and the tools unshare, ip, nft, mount (and mmdebstrap for rootfs, base-image, kolla; dockerd and Kolla\'s Python modules or kolla-build for kolla). Evidence: results/<version>/build.json, airgap.json, logs/. Exit 0 built with no attempt to leave; 1 failed or attempts seen; 2 usage.',
  async run({ positionals, values, global }) {
    const name = need(positionals[0], '<builder>', buildCmd);
    const dir = need(positionals[1], '<release-or-bundle-dir>', buildCmd);
    parseUserUrl(values.server, '--server'); // checked here, passed on as written
    const r = await build({
      builder: name, dir, serverUrl: values.server, pushDir: values['push-dir'],
      registry: values.registry === undefined ? undefined : parseHostPort(values.registry, '--registry'), outDir: values.out,
      allowEgressAttempts: !!values['allow-egress-attempts'], resultsDir: global.resultsDir, args: positionals.slice(2),
      overrides: { ...(values.elements ? { elements: String(values.elements).split(',').map((e) => e.trim()).filter(Boolean) } : {}), ...(values.output ? { name: values.output } : {}) },
      log: global.log, echo: values.verbose ? (d) => process.stderr.write(d) : undefined,
    });
    if (!r.ok) {
      // the end of the log is where a failing tool says why
      const tail = (await readFile(join(global.resultsDir, r.version, r.entry.log.file), 'utf8').catch(() => '')).trimEnd().split('\n').slice(-25);
      process.stderr.write(`airgap build ${name}: FAILED: ${r.entry.error}${tail.length > 1 ? `\nlast lines of ${r.entry.log.file}:\n  ${tail.join('\n  ')}` : ''}\n`);
    }
    const lines = [
      `${r.ok ? 'OK' : 'FAILED'}: build ${name} in ${(r.entry.durationMs / 1000).toFixed(1)} s; ${r.entry.egressAttempts} attempt(s) to leave the sandbox${r.entry.allowEgressAttempts ? ' (allowed)' : ''}`,
      ...r.entry.outputs.map((x) => `  ${x.name} ${x.ref ? `${x.ref}@` : ''}${x.digest}`),
      `log      ${r.entry.log.file}`,
      `evidence ${r.evidence.build}, ${r.evidence.airgap}`,
    ];
    print(global, { ...r.entry, evidence: r.evidence }, lines.join('\n'));
    return r.ok ? 0 : 1;
  },
};
