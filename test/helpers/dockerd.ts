import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool } from '../../src/host/tools.ts';

/**
 * A Docker engine for the test: one already running, else Debian's dockerd started privately
 * (its own socket, data root and no network setup) when we are root, stopped by PID afterwards.
 * Undefined, with the reason, where neither is possible.
 */
export async function dockerEngine(dir: string): Promise<{ env: NodeJS.ProcessEnv; stop: () => Promise<void>; containerd?: string } | { skip: string }> {
  if (!hasTool('docker')) return { skip: 'no docker client (Debian package docker.io)' };
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) return { env: {}, stop: async () => {} };
  if (!hasTool('dockerd')) return { skip: 'no dockerd (Debian package docker.io)' };
  if (process.getuid?.() !== 0) return { skip: 'dockerd is not running and starting one needs root' };
  await mkdir(dir, { recursive: true });
  const sock = `unix://${join(dir, 'docker.sock')}`;
  const child = spawn('dockerd', ['-H', sock, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
    '--iptables=false', '--ip6tables=false', '--bridge=none'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // The caller stops it (hooks cannot be added from inside a test); dockerd takes its containerd along.
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const env = { DOCKER_HOST: sock };
  for (let i = 0; i < 100; i++) {
    if (spawnSync('docker', ['info'], { stdio: 'ignore', env: { ...process.env, ...env } }).status === 0) {
      const containerd = join(dir, 'exec', 'containerd', 'containerd.sock');
      return { env, stop, ...(hasTool('ctr') && existsSync(containerd) ? { containerd } : {}) };
    }
    if (child.exitCode !== null) return { skip: `dockerd exited (${child.exitCode}) at start` };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  return { skip: 'dockerd did not answer within 20 s' };
}
