import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureTools } from '../../src/host/tools.ts';

export interface Measured {
  /** wall time of the whole child process, start to exit */
  seconds: number;
  /** peak RSS in KiB (getrusage ru_maxrss of the child), when it could be read */
  maxRssKiB?: number;
  /** user + system CPU seconds of the child and what it waited for, when they could be read */
  cpuSeconds?: number;
  stdout: string;
}

/**
 * How peak RSS is read. GNU time reads the child's rusage from wait4() when it exits: exact, from
 * outside, for any program (a shell pipeline reports its largest process). Without it, Node
 * children preload maxrss.ts, which writes their own ru_maxrss at exit; other programs get none.
 */
export type RssProbe = { kind: 'gnu-time'; path: string } | { kind: 'node-preload'; hook: string };

function gnuTime(): string | undefined {
  for (const p of ['/usr/bin/time', '/bin/time']) {
    if (!existsSync(p)) continue;
    const r = spawnSync(p, ['-f', '%M', 'true'], { encoding: 'utf8' });
    if (r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split('\n').pop() ?? '')) return p;
  }
  return undefined;
}

export function rssProbe(log: (m: string) => void): RssProbe {
  let path = gnuTime();
  if (!path) {
    // Debian package `time`; ensureTools installs it as root and explains otherwise.
    try { ensureTools(['time']); } catch (err) { log(`bench: ${(err as Error).message}; peak RSS read from inside the Node children instead`); }
    path = gnuTime();
  }
  return path ? { kind: 'gnu-time', path } : { kind: 'node-preload', hook: join(import.meta.dirname, 'maxrss.ts') };
}

export class StepFailed extends Error {}

let running: ChildProcess | undefined;

/** On Ctrl-C: stop the timed child and wait for it, so the temporary directory can go. */
export function stopRunning(): Promise<void> {
  const child = running;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    // Its own process group: GNU time and a shell pipeline go down with their children.
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { child.kill('SIGTERM'); }
  });
}

/** Run cmd to completion, timing it; non-zero exit is a StepFailed carrying stderr's tail. */
export async function measure(
  label: string,
  cmd: string,
  args: string[],
  o: { probe: RssProbe; scratch: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Measured> {
  const rssFile = join(o.scratch, `.maxrss-${process.pid}`);
  await rm(rssFile, { force: true });
  let file = cmd;
  let argv = args;
  const env = { ...process.env, ...o.env };
  if (o.probe.kind === 'gnu-time') {
    file = o.probe.path;
    argv = ['-f', '%M %U %S', '-o', rssFile, cmd, ...args];
  } else if (cmd === process.execPath) {
    argv = ['--import', o.probe.hook, ...args];
    env.AIRGAP_BENCH_MAXRSS = rssFile;
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = (running = spawn(file, argv, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const seconds = (performance.now() - t0) / 1000;
  const stdout = Buffer.concat(out).toString('utf8');
  if (code !== 0) {
    const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-15).join('\n');
    throw new StepFailed(`${label} failed (exit ${code}): ${[cmd, ...args].join(' ')}\n${tail}${stdout ? `\n${stdout.slice(-2000)}` : ''}`);
  }
  const rssText = await readFile(rssFile, 'utf8').catch(() => '');
  await rm(rssFile, { force: true });
  const last = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(rssText.trim().split('\n').pop() ?? '');
  return { seconds, stdout, ...(last ? { maxRssKiB: Number(last[1]), cpuSeconds: Number(last[2]) + Number(last[3]) } : {}) };
}
