import { formatSize } from '../../src/util/size.ts';

export type StepKey = 'bundle' | 'verify' | 'openssl' | 'tarSha256sum' | 'copyFsync';

export interface StepResult {
  label: string;
  command: string;
  /** wall seconds of every timed run, in order */
  seconds: number[];
  best: number;
  /** bytes of the data set over the best run, 10^6 bytes per second */
  mbPerSecond: number;
  /** the largest peak RSS over the runs, 10^6 bytes */
  peakRssMB?: number;
}

export interface Target { ratio: number; min: number; met: boolean }

export interface BenchReport {
  dataSet: { bytes: number; files: number; fileBytes: number; volumeSize: number; volumes: number };
  runs: number;
  cache: string;
  /**
   * CPU the rest of the machine used while the steps were timed: machine busy time (/proc/stat)
   * minus the timed children and the bench itself; kernel writeback threads count as other.
   */
  otherWork: { seconds: number; otherCpuSeconds?: number; stealSeconds: number; cores: number };
  rssProbe: string;
  machine: { node: string; openssl: string; cpu: string; cores: number; shaNi: boolean; memAvailableBytes: number };
  startupSeconds: number;
  steps: Record<StepKey, StepResult>;
  ratios: {
    bundleVsOpenssl: number;
    verifyVsOpenssl: number;
    bundleVsTarSha256sum: number;
    verifyVsTarSha256sum: number;
    bundleVsCopyFsync: number;
  };
  targets: {
    bundle: Target;
    verify: Target;
    peakRss: { limitMB: number; bundleMB?: number; verifyMB?: number; met: boolean | null };
  };
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const x = (r: number) => `${r.toFixed(2)}×`;
const mb = (v?: number) => (v === undefined ? 'n/a' : `${v.toFixed(0)} MB`);

export function formatReport(r: BenchReport): string {
  const d = r.dataSet;
  const s = r.steps;
  const lines: string[] = [];
  lines.push(`airgap bench: ${formatSize(d.bytes)} in ${d.files} files of ${formatSize(d.fileBytes)} (AES-CTR bytes, incompressible); ` +
    `bundle --volume-size ${formatSize(d.volumeSize)} → ${d.volumes} volume(s)`);
  lines.push(`machine: ${r.machine.cpu}, ${r.machine.cores} cores${r.machine.shaNi ? ', SHA-NI' : ''}; node ${r.machine.node}; ${r.machine.openssl}`);
  lines.push(`timing: best of ${r.runs} runs per step, steps interleaved round by round; wall time of the whole process (airgap includes ` +
    `${r.startupSeconds.toFixed(2)} s of Node start-up and module load)`);
  lines.push(`page cache: ${r.cache}`);
  lines.push(`peak RSS: ${r.rssProbe}`);
  const o = r.otherWork;
  if (o.otherCpuSeconds === undefined) {
    lines.push('other work: unknown (no CPU times without GNU time)');
  } else {
    const share = o.otherCpuSeconds / o.seconds;
    lines.push(`other work: ${o.otherCpuSeconds.toFixed(1)} CPU-s in ${o.seconds.toFixed(0)} s of timed steps (${(100 * share).toFixed(0)}% of one core, ` +
      `kernel writeback included), steal ${o.stealSeconds.toFixed(1)} s` +
      (share > 0.25 ? ' — THE MACHINE IS BUSY: timings are noisy and ratios skewed; rerun on a quiet machine' : ''));
  }
  lines.push('');
  const rows: [string, StepResult, string, string][] = [
    ['airgap bundle', s.bundle, x(r.ratios.bundleVsOpenssl), x(r.ratios.bundleVsTarSha256sum)],
    ['airgap verify', s.verify, x(r.ratios.verifyVsOpenssl), x(r.ratios.verifyVsTarSha256sum)],
    ['openssl dgst -sha256   (ref)', s.openssl, x(1), x(s.tarSha256sum.best / s.openssl.best)],
    ['tar -c | sha256sum     (ref)', s.tarSha256sum, x(s.openssl.best / s.tarSha256sum.best), x(1)],
    ['cat > f && sync f     (ref)', s.copyFsync, x(s.openssl.best / s.copyFsync.best), x(s.tarSha256sum.best / s.copyFsync.best)],
  ];
  const head = `${pad('step', 30)}${pad('best s', 9, true)}${pad('MB/s', 8, true)}${pad('× openssl', 11, true)}${pad('× tar|sha256sum', 17, true)}${pad('peak RSS', 10, true)}   runs (s)`;
  lines.push(head, '-'.repeat(head.length + 12));
  for (const [name, st, vo, vt] of rows) {
    lines.push(`${pad(name, 30)}${pad(st.best.toFixed(2), 9, true)}${pad(st.mbPerSecond.toFixed(0), 8, true)}${pad(vo, 11, true)}${pad(vt, 17, true)}` +
      `${pad(mb(st.peakRssMB), 10, true)}   ${st.seconds.map((v) => v.toFixed(2)).join(' ')}`);
  }
  lines.push('');
  lines.push(`bundle vs a durable copy of the same bytes (cat > f && sync f; bundle writes and fsyncs too): ${x(r.ratios.bundleVsCopyFsync)}`);
  const t = r.targets;
  const mark = (ok: boolean | null) => (ok === null ? 'UNKNOWN' : ok ? 'met' : 'NOT MET');
  lines.push(`target bundle ≥ ${t.bundle.min}× openssl: ${mark(t.bundle.met)} (${x(t.bundle.ratio)})`);
  lines.push(`target verify ≥ ${t.verify.min}× openssl: ${mark(t.verify.met)} (${x(t.verify.ratio)})`);
  lines.push(`target peak RSS < ${t.peakRss.limitMB} MB: ${mark(t.peakRss.met)} (bundle ${mb(t.peakRss.bundleMB)}, verify ${mb(t.peakRss.verifyMB)})`);
  return lines.join('\n') + '\n';
}
