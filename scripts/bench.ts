// npm run bench:bundle [-- --size 2G --runs 3 --json --keep] (also the first part of npm run bench)
//
// Bundle and verify throughput on a generated data set, as ratios to `openssl dgst -sha256` (the
// machine's hashing limit) and `tar -c | sha256sum` (a hand-written script) on the same bytes in
// the same run, plus the peak RSS of the airgap processes. Informative: exit 0 whether or not the
// targets are met; non-zero only when a step fails (bad usage 2, a failing step 1).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureTools } from '../src/host/tools.ts';
import { formatSize, parseSize } from '../src/util/size.ts';
import { generateFiles } from './bench/generate.ts';
import { measure, rssProbe, StepFailed, stopRunning, type Measured } from './bench/measure.ts';
import { formatReport, type BenchReport, type StepKey, type StepResult } from './bench/report.ts';

const HELP = `npm run bench:bundle -- [options]   (npm run bench runs this with the same options, then the OCI and PyPI benches)

Generates a data set, locks and mirrors it (untimed), then times, best of --runs, interleaved:
  airgap bundle --volume-size SIZE, airgap verify, openssl dgst -sha256 <files>,
  tar -cf - -C <dir> . | sha256sum, and cat <files> > f && sync f (a hand-written durable copy:
  bundle writes every byte and fsyncs, so this shows how much of its time the disk takes).
Prints MB/s, ratios to openssl and to tar|sha256sum, peak RSS, and whether the targets hold
(bundle and verify ≥ 0.8× openssl, peak RSS < 300 MB). Exit 0 unless a step fails.

Options:
  --size SIZE         data set size (default 2G; e.g. 256M for a quick run)
  --files N           number of files (default 16)
  --volume-size SIZE  bundle volume size (default 1G)
  --runs N            timed runs per step, best is kept (default 3)
  --dir DIR           where the temporary directory goes (default: the OS temp dir)
  --json              print the results as JSON on stdout instead of the table
  --keep              keep the temporary directory
`;

const TARGET_RATIO = 0.8;
const RSS_LIMIT_MB = 300;
const ROOT = resolve(import.meta.dirname, '..');
const AIRGAP = join(ROOT, 'bin', 'airgap.js');

const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

class Usage extends Error {}

function options() {
  let v;
  try {
    ({ values: v } = parseArgs({
      options: {
        size: { type: 'string', default: '2G' },
        files: { type: 'string', default: '16' },
        'volume-size': { type: 'string', default: '1G' },
        runs: { type: 'string', default: '3' },
        dir: { type: 'string', default: tmpdir() },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new Usage((err as Error).message);
  }
  const int = (name: string, s: string) => {
    if (!/^[1-9]\d*$/.test(s)) throw new Usage(`--${name} must be a positive whole number, got "${s}"`);
    return Number(s);
  };
  const size = (name: string, s: string) => {
    try { return parseSize(s); } catch (err) { throw new Usage(`--${name}: ${(err as Error).message}`); }
  };
  const o = {
    help: v.help, json: v.json, keep: v.keep, dir: resolve(v.dir),
    size: size('size', v.size), files: int('files', v.files), volumeSize: size('volume-size', v['volume-size']), runs: int('runs', v.runs),
  };
  if (o.size < o.files * 4096) throw new Usage(`--size ${v.size} is too small for ${o.files} files`);
  return o;
}

function memAvailable(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Busy and stolen CPU seconds of the whole machine so far, from /proc/stat. */
function machineCpu(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  const [user, nice, system, , , irq, softirq, steal] = f;
  return { busy: (user + nice + system + irq + softirq) / hz, steal: (steal ?? 0) / hz };
}

function machine(memAvailableBytes: number): BenchReport['machine'] {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const ssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();
  return {
    node: process.version, openssl: ssl, cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length,
    shaNi: /^flags\s*:.*\bsha_ni\b/m.test(info), memAvailableBytes,
  };
}

/** A step of the set-up, run through the CLI as an operator would; its output is not timed. */
function airgapSetup(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [AIRGAP, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new StepFailed(`airgap ${args[0]} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function sync(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

async function run(o: ReturnType<typeof options>, work: string): Promise<BenchReport> {
  const dataDir = join(work, 'data');
  const releaseDir = join(work, 'release');
  const storeDir = join(work, 'store');
  const bundleDir = join(work, 'bundle');
  const keysDir = join(work, 'keys');
  const resultsDir = join(work, 'results');
  const copyOut = join(work, 'copy.out');
  for (const d of [dataDir, releaseDir, keysDir]) await mkdir(d, { recursive: true });

  // data, store, bundle and the write reference each hold the data set once.
  const fs = await statfs(work);
  const free = fs.bavail * fs.bsize;
  const need = 4 * o.size + (256 << 20);
  if (free < need) throw new Usage(`${work}: ${formatSize(free)} free, the bench needs ${formatSize(need)} (4× --size); choose --dir or a smaller --size`);

  const probe = rssProbe(log);
  const env = { AIRGAP_QUIET: '1', CI: '1' };

  // ── untimed set-up ──────────────────────────────────────────────────────────────────────────
  let t = performance.now();
  const files = await generateFiles(dataDir, o.size, o.files);
  log(`generated ${formatSize(o.size)} in ${files.length} files in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  airgapSetup(['keygen', '--out', keysDir], env);
  const manifest = [
    'version: bench-1',
    'description: npm run bench data set',
    'file:',
    ...files.flatMap((f) => [`  - name: ${f.name.replace(/\.bin$/, '')}`, `    url: ${pathToFileURL(f.path).href}`, '    version: "1"']),
  ].join('\n') + '\n';
  await writeFile(join(releaseDir, 'factory.yaml'), manifest);
  t = performance.now();
  airgapSetup(['lock', releaseDir, '--results', resultsDir], env);
  airgapSetup(['mirror', releaseDir, '--store', storeDir, '--results', resultsDir], env);
  log(`lock + mirror in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const lock = JSON.parse(await readFile(join(releaseDir, 'factory.lock.json'), 'utf8')) as { artifacts: { url: string; sha256: string }[] };
  const pinOf = new Map(lock.artifacts.map((a) => [a.url, a.sha256]));
  sync(); // nothing left to write back behind the timed steps

  const mem = memAvailable();
  const cacheNeed = 3 * o.size; // data (references), store (bundle reads), bundle (verify reads)
  const cache = mem > cacheNeed + (1 << 30)
    ? `warm: every input was written earlier in this run and fits in RAM (${formatSize(cacheNeed)} of inputs, ${formatSize(mem)} available); ` +
      'no caches dropped; dirty pages synced and old outputs removed before each timed step'
    : `PARTLY COLD: ${formatSize(cacheNeed)} of inputs but only ${formatSize(mem)} available; reads may hit the disk`;

  // Node start-up and module load, paid by every airgap command (included in its wall time).
  const startup: number[] = [];
  for (let i = 0; i < o.runs; i++) startup.push((await measure('airgap --version', process.execPath, [AIRGAP, '--version'], { probe, scratch: work, env })).seconds);

  // ── timed, round by round so slow drifts (thermal, neighbours) hit every step alike ───────────
  // Other work on the machine skews the ratios; count the CPU it took while we timed.
  const cpu0 = machineCpu();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  const m: Record<StepKey, Measured[]> = { bundle: [], verify: [], openssl: [], tarSha256sum: [], copyFsync: [] };
  const paths = files.map((f) => f.path);
  const shell = spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim() || 'sh';
  const pipefail = shell.endsWith('bash') ? 'set -o pipefail; ' : '';
  let volumes = 0;
  for (let r = 1; r <= o.runs; r++) {
    log(`round ${r}/${o.runs}`);
    await rm(bundleDir, { recursive: true, force: true });
    sync();
    const b = await measure('airgap bundle', process.execPath, [AIRGAP, 'bundle', releaseDir, '--store', storeDir, '--out', bundleDir,
      '--key', join(keysDir, 'airgap.key'), '--volume-size', String(o.volumeSize), '--json', '--results', resultsDir], { probe, scratch: work, env });
    volumes = (JSON.parse(b.stdout) as { volumes: unknown[] }).volumes.length;
    m.bundle.push(b);

    const v = await measure('airgap verify', process.execPath, [AIRGAP, 'verify', bundleDir, '--trust', join(keysDir, 'airgap.pub'), '--json',
      '--results', resultsDir], { probe, scratch: work, env });
    if ((JSON.parse(v.stdout) as { ok: boolean }).ok !== true) throw new StepFailed(`airgap verify did not report ok:\n${v.stdout}`);
    m.verify.push(v);

    const s = await measure('openssl dgst', 'openssl', ['dgst', '-sha256', ...paths], { probe, scratch: work });
    // The reference hashed the very bytes the lock pins (and so the bytes bundle and verify moved).
    for (const f of files) {
      const line = s.stdout.split('\n').find((l) => l.includes(`(${f.path})=`));
      if (line?.split('= ').pop()?.trim() !== pinOf.get(pathToFileURL(f.path).href)) throw new StepFailed(`openssl and the lock disagree on ${f.path}`);
    }
    m.openssl.push(s);

    m.tarSha256sum.push(await measure('tar | sha256sum', shell, ['-c', `${pipefail}tar -cf - -C "$1" . | sha256sum`, 'sh', dataDir], { probe, scratch: work }));

    await rm(copyOut, { force: true });
    sync();
    m.copyFsync.push(await measure('cat > f && sync f', shell, ['-c', 'out=$1; shift; cat "$@" > "$out" && sync "$out"', 'sh', copyOut, ...paths], { probe, scratch: work }));
    await rm(copyOut, { force: true });
  }

  const cpu1 = machineCpu();
  const selfCpu = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(self0));
  const childCpu = Object.values(m).flat().map((x) => x.cpuSeconds);
  const wall = (performance.now() - wall0) / 1000;
  const otherCpu = childCpu.every((c) => c !== undefined)
    ? Math.max(0, cpu1.busy - cpu0.busy - selfCpu - childCpu.reduce((a: number, c) => a + c!, 0))
    : undefined;
  const commands: Record<StepKey, [string, string]> = {
    bundle: ['airgap bundle', `airgap bundle <release> --store <store> --out <bundle> --key <key> --volume-size ${formatSize(o.volumeSize)}`],
    verify: ['airgap verify', 'airgap verify <bundle> --trust <pub>'],
    openssl: ['openssl dgst -sha256', `openssl dgst -sha256 <${files.length} files>`],
    tarSha256sum: ['tar -c | sha256sum', 'tar -cf - -C <data> . | sha256sum'],
    copyFsync: ['cat > f && sync f', `cat <${files.length} files> > f && sync f`],
  };
  const steps = Object.fromEntries((Object.keys(m) as StepKey[]).map((k) => {
    const seconds = m[k].map((x) => x.seconds);
    const best = Math.min(...seconds);
    const rss = m[k].map((x) => x.maxRssKiB).filter((x): x is number => x !== undefined);
    const res: StepResult = {
      label: commands[k][0], command: commands[k][1], seconds, best, mbPerSecond: o.size / best / 1e6,
      ...(rss.length ? { peakRssMB: (Math.max(...rss) * 1024) / 1e6 } : {}),
    };
    return [k, res];
  })) as Record<StepKey, StepResult>;

  const ratio = (a: StepKey, ref: StepKey) => steps[ref].best / steps[a].best;
  const bundleRss = steps.bundle.peakRssMB;
  const verifyRss = steps.verify.peakRssMB;
  return {
    dataSet: { bytes: o.size, files: files.length, fileBytes: files[0].size, volumeSize: o.volumeSize, volumes },
    runs: o.runs,
    cache,
    otherWork: { seconds: wall, otherCpuSeconds: otherCpu, stealSeconds: cpu1.steal - cpu0.steal, cores: cpus().length },
    rssProbe: probe.kind === 'gnu-time'
      ? `${probe.path} -f %M (getrusage of the child at exit)`
      : 'node --import scripts/bench/maxrss.ts (the airgap process reports its own ru_maxrss; none for the reference tools)',
    machine: machine(mem),
    startupSeconds: Math.min(...startup),
    steps,
    ratios: {
      bundleVsOpenssl: ratio('bundle', 'openssl'),
      verifyVsOpenssl: ratio('verify', 'openssl'),
      bundleVsTarSha256sum: ratio('bundle', 'tarSha256sum'),
      verifyVsTarSha256sum: ratio('verify', 'tarSha256sum'),
      bundleVsCopyFsync: ratio('bundle', 'copyFsync'),
    },
    targets: {
      bundle: { ratio: ratio('bundle', 'openssl'), min: TARGET_RATIO, met: ratio('bundle', 'openssl') >= TARGET_RATIO },
      verify: { ratio: ratio('verify', 'openssl'), min: TARGET_RATIO, met: ratio('verify', 'openssl') >= TARGET_RATIO },
      peakRss: {
        limitMB: RSS_LIMIT_MB, bundleMB: bundleRss, verifyMB: verifyRss,
        met: bundleRss === undefined || verifyRss === undefined ? null : bundleRss < RSS_LIMIT_MB && verifyRss < RSS_LIMIT_MB,
      },
    },
  };
}

async function main(): Promise<number> {
  let o;
  try {
    o = options();
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    ensureTools(['openssl', 'tar', 'sha256sum']); // as root, apt-get installs what is missing
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  let work: string;
  try {
    await mkdir(o.dir, { recursive: true });
    work = await mkdtemp(join(o.dir, 'airgap-bench-'));
  } catch (err) {
    process.stderr.write(`bench: cannot make a temporary directory in ${o.dir}: ${(err as Error).message}\n`);
    return 2;
  }
  const cleanup = async () => {
    if (o.keep) log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  };
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    stopping = true;
    log(`${sig}: stopping`);
    void stopRunning().then(cleanup).finally(() => process.kill(process.pid, sig));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(`working in ${work}`);
  try {
    const report = await run(o, work);
    process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return 0;
  } catch (err) {
    if (stopping) return 130;
    if (err instanceof Usage) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`bench: ${err instanceof StepFailed ? err.message : (err as Error).stack}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
