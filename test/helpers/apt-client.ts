import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { run } from '../../src/host/exec.ts';

/**
 * A real apt on this host with its own state under `dir`: nothing installed (an empty dpkg
 * status), the given `deb` lines and apt_preferences text, and no host sources, lists or cache.
 * The tests ask it what apt's candidate is, to hold the lock to apt's choice.
 */
export async function isolatedApt(dir: string, sources: string[], preferences = '') {
  for (const d of ['etc/apt/apt.conf.d', 'etc/apt/sources.list.d', 'etc/apt/preferences.d', 'etc/apt/trusted.gpg.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'var/lib/dpkg/status'), '');
  await writeFile(join(dir, 'etc/apt/sources.list'), sources.join('\n') + '\n');
  await writeFile(join(dir, 'etc/apt/preferences'), preferences);
  await writeFile(join(dir, 'apt.conf'), [
    `Dir "${dir}/";`, `Dir::State::status "${dir}/var/lib/dpkg/status";`, 'APT::Architecture "amd64";', 'APT::Architectures { "amd64"; };',
    'APT::Sandbox::User "root";', 'Acquire::Languages "none";', 'Debug::NoLocking "true";', '',
  ].join('\n'));
  const env = { ...process.env, APT_CONFIG: join(dir, 'apt.conf') };
  const update = await run('apt-get', ['update'], { env });
  if (/^(Err|W):/m.test(update.stdout + update.stderr)) throw new Error(`isolated apt-get update: ${update.stdout}${update.stderr}`);
  return {
    env,
    /** `apt-cache policy`'s Candidate per name ('(none)' where apt has none) */
    async candidates(names: string[]): Promise<Record<string, string>> {
      const out = (await run('apt-cache', ['policy', ...names], { env })).stdout;
      return Object.fromEntries([...out.matchAll(/^(\S+):\n\s+Installed: .*\n\s+Candidate: (\S+)$/gm)].map((m) => [m[1], m[2]]));
    },
    /** `apt-get -s install` (no exception on failure): what apt would install, or why it would not */
    async simulate(args: string[]): Promise<{ ok: boolean; installs: Record<string, string>; output: string }> {
      const r = await promisify(execFile)('apt-get', ['-s', 'install', '--no-install-recommends', ...args], { env, maxBuffer: 1 << 26 })
        .then((x) => ({ ok: true, stdout: x.stdout, stderr: x.stderr }), (err: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      return { ok: r.ok, installs: Object.fromEntries([...r.stdout.matchAll(/^Inst (\S+) \((\S+) /gm)].map((m) => [m[1], m[2]])), output: r.stdout + r.stderr };
    },
  };
}
