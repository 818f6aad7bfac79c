// Runs diskimage-builder phases over a root filesystem, in DIB's order: started by
// mmdebstrap as a customize hook (inside the build sandbox), after the base system is in place
// and while its proc, sys and dev are mounted. usage: run-phases.ts ROOT PLAN.json
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IN_CHROOT, PHASES, whenHolds, type ElementPlan } from './elements.ts';

const [root, planFile] = process.argv.slice(2);
const { plan, env } = JSON.parse(readFileSync(planFile, 'utf8')) as { plan: ElementPlan; env: Record<string, string> };
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const stage = '/tmp/airgap-elements'; // inside the image, removed at the end
const say = (m: string) => process.stdout.write(`airgap-elements: ${m}\n`);

function must(cmd: string, args: string[], extraEnv: Record<string, string>, what: string) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { PATH, HOME: '/root', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...env, ...extraEnv } });
  if (r.status !== 0) {
    process.stderr.write(`airgap-elements: ${what} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

// environment.d, sourced before every script: a copy inside the image for chroot phases, one
// beside the plan for the phases outside (cleanup.d may empty the image's /tmp)
const RUN = `#!/bin/bash\nset -e\nfor f in "$AIRGAP_ENV_DIR"/*; do [ -e "$f" ] && . "$f"; done\nexec "$@"\n`;
const outside = join(dirname(planFile), 'phases');
for (const base of [join(root, stage), outside]) {
  mkdirSync(join(base, 'environment.d'), { recursive: true });
  for (const e of plan.environment) copyFileSync(e.path, join(base, 'environment.d', e.name));
  writeFileSync(join(base, 'run.sh'), RUN);
  chmodSync(join(base, 'run.sh'), 0o755);
}

// what environment.d makes of the build's environment, for package-installs' `when`
const dump = spawnSync('bash', ['-c', 'set -a; for f in "$AIRGAP_ENV_DIR"/*; do [ -e "$f" ] && . "$f"; done; env -0'], { env: { PATH, ...env, AIRGAP_ENV_DIR: join(outside, 'environment.d') }, encoding: 'utf8' });
if (dump.status !== 0) {
  process.stderr.write(`airgap-elements: sourcing environment.d failed: ${dump.stderr}\n`);
  process.exit(1);
}
const elementEnv = Object.fromEntries(dump.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

// daemons must not start while packages are installed into the image (removed after finalise.d)
const policy = join(root, 'usr/sbin/policy-rc.d');
const hadPolicy = existsSync(policy);
if (hadPolicy) renameSync(policy, `${policy}.airgap`);
writeFileSync(policy, '#!/bin/sh\nexit 101\n');
chmodSync(policy, 0o755);

for (const phase of PHASES) {
  if (phase === 'cleanup.d') {
    rmSync(policy, { force: true });
    if (hadPolicy) renameSync(`${policy}.airgap`, policy);
  }
  const pkgs = plan.packages[phase].filter((p) => whenHolds(p.when, elementEnv)).map((p) => p.name);
  if (pkgs.length) {
    say(`phase ${phase}: package-installs: ${pkgs.join(' ')}`);
    must('chroot', [root, 'apt-get', 'install', '-y', '--no-install-recommends', ...pkgs], {}, `${phase}: apt-get install`);
  }
  for (const s of plan.phases[phase]) {
    say(`phase ${phase}: ${s.element}/${s.name}`);
    if (IN_CHROOT.has(phase)) {
      const inImage = join(stage, phase, s.element, s.name);
      mkdirSync(join(root, stage, phase, s.element), { recursive: true });
      copyFileSync(s.path, join(root, inImage));
      chmodSync(join(root, inImage), 0o755);
      must('chroot', [root, `${stage}/run.sh`, inImage], { AIRGAP_ENV_DIR: `${stage}/environment.d` }, `${phase}/${s.element}/${s.name}`);
    } else {
      must(join(outside, 'run.sh'), [s.path], { AIRGAP_ENV_DIR: join(outside, 'environment.d'), TARGET_ROOT: root, TMP_MOUNT_PATH: root }, `${phase}/${s.element}/${s.name}`);
    }
  }
}
rmSync(join(root, stage), { recursive: true, force: true });
rmSync(outside, { recursive: true, force: true });
say('done');
