import { spawnSync } from 'node:child_process';
import { HostError } from '../util/errors.ts';
import { say } from '../util/progress.ts';

/** Host tools the project calls, each with the Debian package that provides it. */
export const TOOLS: Record<string, string> = {
  git: 'git',
  minisign: 'minisign',
  openssl: 'openssl',
  tar: 'tar',
  sha256sum: 'coreutils',
  chromium: 'chromium',
  python3: 'python3',
  pip: 'python3-pip',
  venv: 'python3-venv',
  'apt-ftparchive': 'apt-utils',
  xz: 'xz-utils',
  'dpkg-deb': 'dpkg',
  skopeo: 'skopeo',
  'docker-registry': 'docker-registry',
  docker: 'docker.io',
  dockerd: 'docker.io',
  htpasswd: 'apache2-utils',
  mmdebstrap: 'mmdebstrap',
  ip: 'iproute2',
  unshare: 'util-linux',
  mount: 'mount',
  nft: 'nftables',
  curl: 'curl',
  sfdisk: 'fdisk',
  'mkfs.ext4': 'e2fsprogs',
  e2fsck: 'e2fsprogs',
  'qemu-img': 'qemu-utils',
  'qemu-system-x86_64': 'qemu-system-x86',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  debugfs: 'e2fsprogs',
  glance: 'python3-glance',
  'ansible-playbook': 'ansible-core',
  // what kolla-build imports, from Debian (Kolla itself is not packaged: it runs from its source)
  'python3-pbr': 'python3-pbr',
  'python3-jinja2': 'python3-jinja2',
  'python3-git': 'python3-git',
  'python3-oslo.config': 'python3-oslo.config',
  'python3-docker': 'python3-docker',
  'python3-requests': 'python3-requests',
  'python3-yaml': 'python3-yaml',
};

/** Tools that are Python modules, checked the way the code runs them. */
const MODULE_CHECKS: Record<string, string[]> = {
  pip: ['python3', '-m', 'pip', '--version'],
  venv: ['python3', '-c', 'import ensurepip, venv'],
  // Debian's own Python: python3 on PATH may be another one
  glance: ['/usr/bin/python3', '-c', 'import glance.cmd.api'],
  'python3-pbr': ['/usr/bin/python3', '-c', 'import pbr'],
  'python3-jinja2': ['/usr/bin/python3', '-c', 'import jinja2'],
  'python3-git': ['/usr/bin/python3', '-c', 'import git'],
  'python3-oslo.config': ['/usr/bin/python3', '-c', 'import oslo_config'],
  'python3-docker': ['/usr/bin/python3', '-c', 'import docker'],
  'python3-requests': ['/usr/bin/python3', '-c', 'import requests'],
  'python3-yaml': ['/usr/bin/python3', '-c', 'import yaml'],
};

export function hasTool(name: string): boolean {
  const check = MODULE_CHECKS[name];
  if (check) return spawnSync(check[0], check.slice(1), { stdio: 'ignore' }).status === 0;
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure the named tools are there before any work starts. As root, missing Debian packages are
 * installed (apt-get, non-interactive); otherwise it stops with the exact line to run.
 */
export function ensureTools(names: string[], opts: { install?: boolean } = {}): void {
  const missing = names.filter((n) => !hasTool(n));
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map((n) => TOOLS[n] ?? n))];
  const line = `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!(opts.install ?? true) || !isRoot || !hasTool('apt-get')) {
    throw new HostError(`missing host tools: ${missing.join(', ')}`, `install them first: sudo ${line}`);
  }
  say(`installing host tools: ${pkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) {
    // A fresh machine may have no package lists yet.
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'], env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'inherit', 'inherit'], env });
  }
  const still = names.filter((n) => !hasTool(n));
  if (r.status !== 0 || still.length) throw new HostError(`could not install ${pkgs.join(' ')}`, `run: sudo ${line}`);
}
