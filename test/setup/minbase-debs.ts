import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Real Debian packages for the mmdebstrap test: the minbase set (Essential: yes, Priority:
 * required, apt) plus `hello`, with their closure as apt itself computes it for an empty system,
 * downloaded once by `apt-get download` from the host's own apt sources into .work/ and kept.
 * This is set-up, like installing the host tools; the test itself only uses loopback.
 */
export const MINBASE_DEBS = resolve(import.meta.dirname, '../../.work/test-debs');
const EXTRA = ['apt', 'hello'];

export default function setup() {
  if (existsSync(join(MINBASE_DEBS, 'complete'))) return;
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return; // not Debian: the test says so
  const tmp = `${MINBASE_DEBS}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const sh = (cmd: string, args: string[], cwd?: string) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`test set-up: ${cmd} ${args.slice(0, 4).join(' ')}… failed: ${r.stderr}`);
    return r.stdout;
  };
  let avail = spawnSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout ?? '';
  if (!avail.includes('Package: apt\n')) {
    sh('apt-get', ['update', '-qq']);
    avail = sh('apt-cache', ['dumpavail']);
  }
  const names = new Set(EXTRA);
  for (const stanza of avail.split('\n\n')) {
    if (/^(Priority: required|Essential: yes)$/m.test(stanza)) names.add(/^Package: (\S+)$/m.exec(stanza)![1]);
  }
  // apt's own closure for an empty dpkg status: every file a fresh minbase system needs
  // (-s, not --print-uris: that leaves out whatever is in the host's own archive cache already)
  const sim = sh('apt-get', ['-o', 'Dir::State::status=/dev/null', '-o', 'Debug::NoLocking=1', 'install', '-s', '--no-install-recommends', ...[...names].sort()]);
  const pins = [...sim.matchAll(/^Inst (\S+) \((\S+) /gm)].map((m) => `${m[1]}=${m[2]}`);
  process.stderr.write(`test set-up: apt-get download of ${pins.length} Debian packages (minbase + hello) into .work/test-debs\n`);
  sh('apt-get', ['download', '-qq', ...pins], tmp);
  if (readdirSync(tmp).filter((f) => f.endsWith('.deb')).length !== pins.length) throw new Error('test set-up: apt-get download did not fetch every package');
  // The archive's override file sets Priority and Section, not the .deb (apt's own .deb says
  // important, the archive says required): keep the archive's, for apt-ftparchive to apply.
  const want = new Set(pins.map((p) => p.split('=')[0]));
  const override = new Map<string, string>();
  for (const stanza of avail.split('\n\n')) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    const prio = /^Priority: (\S+)$/m.exec(stanza)?.[1];
    if (name && prio && want.has(name) && !override.has(name)) override.set(name, `${name} ${prio} ${/^Section: (\S+)$/m.exec(stanza)?.[1] ?? 'misc'}`);
  }
  writeFileSync(join(tmp, 'override'), [...override.values()].sort().join('\n') + '\n');
  writeFileSync(join(tmp, 'complete'), pins.join('\n') + '\n');
  rmSync(MINBASE_DEBS, { recursive: true, force: true });
  renameSync(tmp, MINBASE_DEBS);
}

export const minbasePins = () => readFileSync(join(MINBASE_DEBS, 'complete'), 'utf8').trim().split('\n');
