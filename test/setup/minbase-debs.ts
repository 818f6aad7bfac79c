import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Real Debian packages for the tests that bootstrap systems: each set is the minbase set
 * (Essential: yes, Priority: required, apt) plus its own packages, with their closure as apt
 * itself computes it for an empty system, downloaded once by `apt-get download` from the host's
 * own apt sources into .work/test-debs/<set>/ and kept. This is set-up, like installing the host
 * tools; the tests themselves only use loopback.
 */
export const DEB_SETS = {
  /** mmdebstrap --variant=minbase, and hello to install afterwards */
  minbase: ['apt', 'hello'],
  /** a bootable cloud VM: kernel, init, cloud-init, the boot loader's modules */
  vm: ['apt', 'linux-image-cloud-amd64', 'systemd-sysv', 'udev', 'cloud-init', 'cloud-guest-utils', 'e2fsprogs', 'ifupdown', 'isc-dhcp-client', 'netbase', 'grub-pc-bin', 'hello'],
} as const satisfies Record<string, readonly string[]>;
export type DebSet = keyof typeof DEB_SETS;
/** Sets only a test that can run fetches, when it runs */
const ON_DEMAND: DebSet[] = [];
export const debsDir = (set: DebSet) => resolve(import.meta.dirname, '../../.work/test-debs', set);

export default function setup() {
  for (const set of Object.keys(DEB_SETS) as DebSet[]) if (!ON_DEMAND.includes(set)) download(set);
}

export function download(set: DebSet) {
  const dir = debsDir(set);
  const EXTRA: readonly string[] = DEB_SETS[set];
  if (existsSync(join(dir, 'complete'))) return;
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return; // not Debian: the test says so
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  mkdirSync(dirname(tmp), { recursive: true });
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
  process.stderr.write(`test set-up: apt-get download of ${pins.length} Debian packages (set ${set}: minbase + ${EXTRA.join(', ')}) into .work/test-debs/${set}\n`);
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
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export const pinsOf = (set: DebSet) => readFileSync(join(debsDir(set), 'complete'), 'utf8').trim().split('\n');
export const minbasePins = () => pinsOf('minbase');
