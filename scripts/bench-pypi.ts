// npm run bench:pypi [-- --files 10000 --download 200 --runs 3]: the PyPI index at scale.
// Generates N wheels (N/2 projects × 2 versions), times building the static simple index from the
// import sidecars, then times `pip download --no-deps` of D packages from `airgap serve` and from
// `python3 -m http.server` serving the same static tree (HTML only, as pip falls back to it).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeWheel } from '../src/pypi/make-wheel.ts';
import { pypiKind } from '../src/kinds/pypi/index.ts';
import { Repository } from '../src/repository/layout.ts';
import { startServer } from '../src/serve/server.ts';
import { run } from '../src/host/exec.ts';
import { ensureTools } from '../src/host/tools.ts';
import { sha256 } from '../src/util/hash.ts';
import { wheelMetadata } from '../src/pypi/wheel.ts';

const { values } = parseArgs({ options: { files: { type: 'string', default: '10000' }, download: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const N = Number(values.files);
const D = Number(values.download);
const RUNS = Number(values.runs);
ensureTools(['python3', 'pip']);
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

const work = await mkdtemp(join(tmpdir(), 'airgap-bench-pypi-'));
try {
  const repoRoot = join(work, 'repo');
  const repo = new Repository(repoRoot);
  const packages = join(repoRoot, 'pypi', 'packages');
  const sidecars = join(repoRoot, 'pypi', '.files');
  await mkdir(packages, { recursive: true });
  await mkdir(sidecars, { recursive: true });
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const w = makeWheel({ name: `bench-pkg-${Math.floor(i / 2)}`, version: `1.${i % 2}` });
    await writeFile(join(packages, w.filename), w.bytes);
    const meta = (await wheelMetadata(join(packages, w.filename)))!;
    await writeFile(join(packages, `${w.filename}.metadata`), meta);
    await writeFile(join(sidecars, `${w.filename}.json`), JSON.stringify({ project: `bench-pkg-${Math.floor(i / 2)}`, version: `1.${i % 2}`, filename: w.filename, sha256: sha256(w.bytes), metadataSha256: sha256(meta) }));
  }
  log(`generated ${N} wheels in ${seconds(t).toFixed(1)} s`);
  let indexSeconds = Infinity;
  for (let r = 0; r < RUNS; r++) {
    t = process.hrtime.bigint();
    await pypiKind.finalize!({ repoRoot, store: repo.store, tmpDir: repo.tmpDir, log });
    indexSeconds = Math.min(indexSeconds, seconds(t));
  }
  await repo.addRepositories({ pypi: 'pypi' });

  const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
  const http = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '--directory', join(repoRoot, 'pypi')], { stdio: 'ignore' });
  const served = await startServer(repoRoot, { host: '127.0.0.1', port: 0 });
  try {
    for (let i = 0; i < 50 && !(await fetch(`http://127.0.0.1:${port}/simple/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
    const wanted = Array.from({ length: D }, (_, i) => `bench-pkg-${Math.floor((i * (N / 2)) / D)}`);
    const pip = async (index: string) => {
      const dest = join(work, `dl-${Math.random().toString(36).slice(2)}`);
      const t0 = process.hrtime.bigint();
      await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--index-url', index, '-d', dest, ...wanted], {
        env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }, timeoutMs: 900_000,
      });
      const s = seconds(t0);
      await rm(dest, { recursive: true, force: true });
      return s;
    };
    let airgapSeconds = Infinity;
    let httpSeconds = Infinity;
    for (let r = 0; r < RUNS; r++) {
      airgapSeconds = Math.min(airgapSeconds, await pip(`${served.url}/repository/pypi/simple/`));
      httpSeconds = Math.min(httpSeconds, await pip(`http://127.0.0.1:${port}/simple/`));
      log(`run ${r + 1}/${RUNS}: airgap serve ${airgapSeconds.toFixed(2)} s, http.server ${httpSeconds.toFixed(2)} s (best so far)`);
    }
    const result = { files: N, projects: N / 2, download: D, indexSeconds, airgapSeconds, httpServerSeconds: httpSeconds, ratio: httpSeconds / airgapSeconds };
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else process.stdout.write([
      `PyPI index: ${N} files in ${N / 2} projects; pip download --no-deps of ${D} packages (best of ${RUNS})`,
      `  index generation (static HTML + JSON)   ${indexSeconds.toFixed(2)} s`,
      `  pip from airgap serve                   ${airgapSeconds.toFixed(2)} s`,
      `  pip from python3 -m http.server         ${httpSeconds.toFixed(2)} s`,
      `  ratio                                   ${(httpSeconds / airgapSeconds).toFixed(2)}× http.server's speed (above 1 is faster)`,
      '',
    ].join('\n'));
  } finally {
    await served.close();
    http.kill('SIGTERM');
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
