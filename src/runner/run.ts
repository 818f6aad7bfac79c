import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { argsFor, maskedParams, secretEnv } from '../../runbooks/lib/runbook.ts';
import { appendRun, runsDir, runVersion, type RunRecord } from './audit.ts';
import type { CatalogEntry } from './catalog.ts';
import { redact, snapshot, written } from './evidence.ts';
import { masker, type Masker } from './mask.ts';

/** How long a cancelled runbook has between SIGTERM and SIGKILL. */
export const GRACE_MS = 5000;
/** The log kept in memory (and written to runs/<id>.log); beyond it the stream goes on, the copy stops. */
const LOG_KEEP = 8 << 20;

export interface RunOptions {
  entry: CatalogEntry;
  /** checked by the runbook's schema */
  params: Record<string, unknown>;
  dryRun: boolean;
  results: string;
  cwd: string;
  runnerVersion?: string;
  log: (m: string) => void;
}

export type RunStatus = 'running' | RunRecord['status'];

/**
 * One runbook run: `node <script> --flag=value… [--dry-run]` as a child, no shell, in a process
 * group of its own (so cancel reaches whatever it started), secrets in its environment only, its
 * output masked as it streams. When it ends: the evidence it wrote, secrets masked in it, its
 * log under runs/, and the audit line.
 */
export class Run {
  readonly id: string;
  readonly runbook: string;
  readonly dryRun: boolean;
  readonly params: Record<string, unknown>;
  readonly argv: string[];
  readonly startedAt = new Date();
  status: RunStatus = 'running';
  record?: RunRecord;
  /** resolves with the audit line once everything is written */
  readonly done: Promise<RunRecord>;
  private chunks: string[] = [];
  private kept = 0;
  private listeners = new Set<(chunk: string | null) => void>();
  private child: ChildProcess;
  private cancelled = false;
  private killTimer?: NodeJS.Timeout;
  private masker: Masker;
  private o: RunOptions;

  /** Starts the run once results/ is recorded as it is, so that everything the run writes is seen. */
  static async start(o: RunOptions): Promise<Run> {
    return new Run(o, await snapshot(o.results));
  }

  private constructor(o: RunOptions, before: Map<string, string>) {
    this.o = o;
    const { entry, params, dryRun } = o;
    this.runbook = entry.id;
    this.dryRun = dryRun;
    this.id = `${this.startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${entry.id}-${randomBytes(3).toString('hex')}`;
    this.params = maskedParams(entry.runbook.schema, params);
    this.masker = masker(Object.values(secretEnv(entry.runbook.schema, params)));
    this.argv = [entry.script, ...argsFor(entry.runbook.schema, params), ...(dryRun ? ['--dry-run'] : [])];
    // The runner's token never reaches a runbook; the results directory is the runner's; the
    // library's progress lines belong in the run's log whatever quiet the runner was started with.
    const { AIRGAP_RUNNER_TOKEN: _token, AIRGAP_QUIET: _quiet, ...env } = process.env;
    this.child = spawn(process.execPath, this.argv, {
      cwd: o.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...secretEnv(entry.runbook.schema, params), AIRGAP_RESULTS: o.results, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    this.done = this.finish(before);
  }

  private async finish(before: Map<string, string>): Promise<RunRecord> {
    const streams = [this.child.stdout!, this.child.stderr!].map((s) => {
      const m = this.masker.stream();
      s.setEncoding('utf8');
      s.on('data', (d: string) => this.emit(m.push(d)));
      return new Promise<void>((r) => s.on('end', () => { this.emit(m.end()); r(); }));
    });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.child.on('error', (err) => { this.emit(`[runner] could not start: ${err.message}\n`); resolve({ code: null, signal: null }); });
      this.child.on('exit', (code, signal) => {
        // whatever the runbook started and left behind goes with it
        try { process.kill(-this.child.pid!, 'SIGTERM'); } catch { /* the group is gone */ }
        resolve({ code, signal });
      });
    });
    await Promise.all(streams);
    clearTimeout(this.killTimer);
    const ended = new Date();
    const evidence = written(before, await snapshot(this.o.results));
    const redacted = await redact(this.o.results, evidence, this.masker);
    const status = this.cancelled ? 'cancelled' : exit.code === 0 ? 'ok' : 'failed';
    const version = runVersion(this.params, evidence, this.o.runnerVersion);
    const log = `${version}/runs/${this.id}.log`;
    this.emit(`\n[runner] ${status}${exit.code !== null ? `: exit ${exit.code}` : exit.signal ? `: ${exit.signal}` : ''} after ${((ended.getTime() - this.startedAt.getTime()) / 1000).toFixed(1)} s${evidence.length ? `; evidence: ${evidence.join(', ')}` : '; no evidence written'}\n`);
    await mkdir(runsDir(this.o.results, version), { recursive: true });
    await writeFile(join(this.o.results, log), this.chunks.join(''));
    const record: RunRecord = {
      id: this.id, runbook: this.runbook, version, dryRun: this.dryRun, params: this.params as RunRecord['params'], argv: this.argv,
      startedAt: this.startedAt.toISOString(), endedAt: ended.toISOString(), durationMs: ended.getTime() - this.startedAt.getTime(),
      status, exitCode: exit.code, signal: exit.signal, evidence, redacted, log,
    };
    await appendRun(this.o.results, record);
    this.record = record;
    this.status = status;
    this.o.log(`run ${this.id}: ${status} (exit ${exit.code ?? exit.signal})`);
    for (const l of this.listeners) l(null);
    this.listeners.clear();
    this.chunks = []; // kept in runs/<id>.log now
    return record;
  }

  private emit(chunk: string) {
    if (!chunk) return;
    if (this.kept < LOG_KEEP) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      if (this.kept >= LOG_KEEP) this.chunks.push(`\n[runner] log copy stopped at ${LOG_KEEP >> 20} MiB; the live stream went on\n`);
    }
    for (const l of this.listeners) l(chunk);
  }

  /** While running: the log so far, then each new chunk, then null at the end. Returns the unsubscribe. */
  follow(on: (chunk: string | null) => void): () => void {
    for (const c of this.chunks) on(c);
    this.listeners.add(on);
    return () => this.listeners.delete(on);
  }

  /** SIGTERM to the run's process group, SIGKILL after the grace period. */
  cancel(): boolean {
    if (this.status !== 'running' || this.cancelled) return false;
    this.cancelled = true;
    this.emit(`\n[runner] cancel: SIGTERM to the process group, SIGKILL in ${GRACE_MS / 1000} s if it is still there\n`);
    const kill = (sig: NodeJS.Signals) => { try { process.kill(-this.child.pid!, sig); } catch { /* already gone */ } };
    kill('SIGTERM');
    this.killTimer = setTimeout(() => kill('SIGKILL'), GRACE_MS);
    return true;
  }

  summary() {
    return this.record ?? {
      id: this.id, runbook: this.runbook, dryRun: this.dryRun, params: this.params, argv: this.argv,
      startedAt: this.startedAt.toISOString(), status: this.status,
    };
  }
}
