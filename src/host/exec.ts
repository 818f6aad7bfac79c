import { spawn } from 'node:child_process';
import { AirgapError, HostError, redactUrl } from '../util/errors.ts';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  /** give up after this long (the child is killed) */
  timeoutMs?: number;
}

/**
 * Run a host tool with an argument array, never a shell: no quoting bugs, no injection from
 * names in a declaration. A non-zero exit is an AirgapError carrying the tool's last words.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject((e.code === 'ENOENT' ? new HostError(`${cmd}: not installed`, 'install it: the README lists each host tool with its Debian package') : new AirgapError(`${cmd}: ${e.message}`))));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr });
      // some tools (apt-get) report on stdout: take the last words from wherever they are
      const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n');
      reject(new AirgapError(`${cmd} ${args.map((a) => (a.includes('://') ? redactUrl(a) : a)).join(' ')} failed (${signal ?? `exit ${code}`})${tail ? `:\n${tail}` : ''}`));
    });
    child.stdin.end(opts.input);
  });
}
