import { onCleanup } from './cleanup.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const BIN = join(import.meta.dirname, '../../bin/airgap.js');

/** A temp directory removed after the file's tests (kept, and named, with AIRGAP_TEST_KEEP=1). */
export async function workspace(prefix = 'airgap-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (process.env.AIRGAP_TEST_KEEP) process.stderr.write(`kept: ${dir}\n`);
  else onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult { code: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

/** The CLI as a user runs it: a child process, the same Node, no shell. */
export function airgap(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, stdout, stderr, signal }));
  });
}

export function spawnAirgap(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
