/**
 * Completes package-lock.json with the other platforms' optional native packages (darwin, win32,
 * …) that this machine's package registry does not serve. Without their entries `npm ci` refuses
 * the lock as "out of sync" ("Missing: @astrojs/compiler-binding-darwin-arm64@ from lock file");
 * with them it skips them as it would on any linux-x64 machine. See the battle log entry
 * 2026-11-22-npm-ci-missing-platform-packages. Run after `npm install` changes the lock.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs: Record<string, any> = lock.packages;

const platformOf = (name: string) => {
  const os = name.includes('windows') ? 'win32' : ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openbsd', 'sunos', 'aix', 'netbsd'].find((o) => name.includes(o));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'].find((c) => new RegExp(`[-_]${c}([-_]|$)`).test(name));
  const libc = /musl/.test(name) ? ['musl'] : /gnu/.test(name) ? ['glibc'] : undefined;
  return { os, cpu, libc };
};

let added = 0;
for (const [where, pkg] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries<string>(pkg.optionalDependencies ?? {})) {
    const key = `${where ? `${where}/` : ''}node_modules/${dep}`.replace(/^\//, '');
    const hoisted = `node_modules/${dep}`;
    if (pkgs[key] || pkgs[hoisted]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && cpu !== 'wasm32') continue; // not a platform package: leave npm's judgement alone
    pkgs[hoisted] = { version, optional: true, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc } : {}) };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
process.stdout.write(`lock-platforms: ${added} entries added\n`);
