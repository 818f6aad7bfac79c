import type { RunRecord } from '../../../src/runner/audit.ts';

/** A run as the runs page shows it, statically (the build) and live (the runner): one shape for both. */
export interface RunView {
  id: string;
  started: string;
  runbook: string;
  mode: 'dry run' | 'real';
  status: string;
  statusClass: 'status-ok' | 'status-bad' | 'status-none';
  took: string;
  params: string;
  evidence: string[];
  log?: string;
}

export type LiveRun = Omit<Partial<RunRecord>, 'status'> & Pick<RunRecord, 'id' | 'runbook' | 'dryRun' | 'startedAt'> & { status: RunRecord['status'] | 'running' };

export function runView(r: LiveRun): RunView {
  const how = r.exitCode !== undefined && r.exitCode !== null ? `exit ${r.exitCode}` : r.signal ?? '';
  return {
    id: r.id,
    started: r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    runbook: r.runbook,
    mode: r.dryRun ? 'dry run' : 'real',
    status: r.status === 'running' ? 'running' : `${r.status}${how ? ` (${how})` : ''}`,
    statusClass: r.status === 'ok' ? 'status-ok' : r.status === 'running' ? 'status-none' : 'status-bad',
    took: r.durationMs === undefined ? '–' : `${(r.durationMs / 1000).toFixed(1)} s`,
    params: Object.entries(r.params ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' '),
    evidence: r.evidence ?? [],
    log: r.log,
  };
}

export const RUN_COLUMNS = ['started (UTC)', 'runbook', 'run', 'status', 'took', 'parameters (secrets as ***)', 'evidence'];
