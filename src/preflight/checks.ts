import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TOOLS, hasTool } from '../host/tools.ts';
import { runInSandbox, SANDBOX_TOOLS } from '../sandbox/sandbox.ts';
import { readLock } from '../lock/read.ts';
import { formatSize } from '../util/size.ts';

export interface Check { name: string; ok: boolean; detail: string; fix?: string }

/** The tools each stage needs; preflight names the Debian package of each missing one. */
export const STAGE_TOOLS: Record<string, string[]> = {
  'lock and mirror (Env A)': ['git', 'python3', 'pip', 'xz'],
  'bundle, verify and import': ['tar', 'sha256sum', 'minisign'],
  'serve': ['git'],
  'build (the sandbox)': [...SANDBOX_TOOLS, 'curl', 'mmdebstrap'],
  'disk images and their boot test': ['sfdisk', 'mkfs.ext4', 'e2fsck', 'qemu-img', 'qemu-system-x86_64', 'mkfs.vfat', 'mcopy'],
};

/** A well-known address on the internet: the sandbox must not reach it. */
export const OUTSIDE = { url: 'http://1.1.1.1/', name: 'example.org' };

export interface PreflightOptions {
  /** a release or bundle dir: its lock sizes the disk check */
  dir?: string;
  store: string;
  serverUrl: string;
  /** bytes wanted free when no lock says more */
  minFree: number;
}

/**
 * Seed 001's readiness checklist, as checks a machine can run: tools, disk, the repository
 * server, the sandbox, and egress really blocked from it. Each failure says what to do.
 */
export async function preflight(o: PreflightOptions, log: (m: string) => void = () => {}): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [stage, tools] of Object.entries(STAGE_TOOLS)) {
    const missing = tools.filter((t) => !hasTool(t));
    checks.push({
      name: `tools for ${stage}`, ok: !missing.length,
      detail: missing.length ? `missing: ${missing.join(', ')}` : tools.join(', '),
      ...(missing.length ? { fix: `apt-get install -y ${[...new Set(missing.map((t) => TOOLS[t] ?? t))].join(' ')}` } : {}),
    });
  }

  let need = o.minFree;
  if (o.dir && existsSync(join(o.dir, 'factory.lock.json'))) {
    const { lock } = await readLock(o.dir);
    const bytes = lock.artifacts.reduce((n, a) => n + (((a as { size?: number }).size) ?? 0), 0);
    need = Math.max(need, 2 * bytes); // the store, and the repository beside it
  }
  await mkdir(o.store, { recursive: true }).catch(() => {});
  const fs = await statfs(o.store).catch(() => undefined);
  const free = fs ? fs.bavail * fs.bsize : 0;
  checks.push({ name: 'disk space for the store', ok: free >= need, detail: `${o.store}: ${formatSize(free)} free, ${formatSize(need)} wanted`, ...(free >= need ? {} : { fix: 'free space, or choose another --store' }) });

  log(`preflight: the repository server at ${o.serverUrl}`);
  const served = await fetch(`${o.serverUrl.replace(/\/+$/, '')}/`).then((r) => r.ok, () => false);
  checks.push({ name: 'repository server reachable', ok: served, detail: o.serverUrl, ...(served ? {} : { fix: `start it: airgap serve --root <repository> --listen ${new URL(o.serverUrl).host}` }) });

  const sandboxChecks = await sandboxProbe(o.serverUrl, served, log);
  checks.push(...sandboxChecks);
  return checks;
}

async function sandboxProbe(serverUrl: string, served: boolean, log: (m: string) => void): Promise<Check[]> {
  const missing = [...SANDBOX_TOOLS, 'curl'].filter((t) => !hasTool(t)); // curl: the probes run it inside
  if (missing.length) return [{ name: 'sandbox starts', ok: false, detail: `cannot try: missing ${missing.join(', ')}`, fix: `apt-get install -y ${[...new Set(missing.map((t) => TOOLS[t]))].join(' ')}` }];
  const dir = await mkdtemp(join(tmpdir(), 'airgap-preflight-'));
  let keep = false; // a failing check points at its log: it must still be there
  try {
    const logFile = join(dir, 'sandbox.log');
    log('preflight: starting the sandbox');
    const start = await runInSandbox({ argv: ['true'], serverUrl, logFile, label: 'preflight: start' }).catch((err: Error) => err);
    if (start instanceof Error) return (keep = true), [{ name: 'sandbox starts', ok: false, detail: start.message, fix: 'run as root, or enable user namespaces (sysctl kernel.unprivileged_userns_clone=1)' }];
    const checks: Check[] = [{ name: 'sandbox starts', ok: start.exitCode === 0, detail: `${start.report.sandbox.kind} as ${start.report.sandbox.user}` }];
    if (served) {
      const reach = await runInSandbox({ argv: ['curl', '-sSf', '-o', '/dev/null', '-m', '10', `${serverUrl.replace(/\/+$/, '')}/`], serverUrl, logFile, label: 'preflight: server' });
      checks.push({ name: 'sandbox reaches the repository server', ok: reach.exitCode === 0 && reach.report.attempts === 0, detail: `curl ${serverUrl}: exit ${reach.exitCode}`, ...(reach.exitCode === 0 ? {} : { fix: `see ${logFile}` }) });
    }
    log(`preflight: trying ${OUTSIDE.url} and a lookup of ${OUTSIDE.name} from inside (both must fail)`);
    const out = await runInSandbox({ argv: ['sh', '-c', `curl -sS -m 10 -o /dev/null ${OUTSIDE.url}; c=$?; getent hosts ${OUTSIDE.name} >/dev/null; g=$?; [ $c -ne 0 ] && [ $g -ne 0 ]`], serverUrl, logFile, label: 'preflight: egress' });
    const seen = out.report.connections.some((c) => c.address === '1.1.1.1') && out.report.dns.some((d) => d.name === OUTSIDE.name);
    checks.push({
      name: 'egress blocked from the sandbox', ok: out.exitCode === 0 && seen,
      detail: out.exitCode === 0 ? `${OUTSIDE.url} and ${OUTSIDE.name} refused${seen ? ', both recorded' : ', but not recorded'}` : `something answered from inside: see ${logFile}`,
      ...(out.exitCode === 0 && seen ? {} : { fix: 'do not build here: the sandbox does not hold' }),
    });
    keep = checks.some((c) => !c.ok);
    return checks;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}
