import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashUrl } from '../../net/fetch-pinned.ts';
import { run } from '../../host/exec.ts';
import { AirgapError } from '../../util/errors.ts';
import { normalize } from '../../pypi/simple.ts';
import { constraintsArg, filenameOf, isWheel, pipReport, targetFlags, targetName, type Resolved, type Target } from './resolve.ts';
import type { PypiEntry } from './schema.ts';

/** Rounds of "an sdist's build requirements bring another sdist"; real chains end in two or three. */
const MAX_BUILD_ROUNDS = 8;

/**
 * `sdists: true`. pip will not resolve a tree for another platform unless every file is a wheel
 * (it cannot know an sdist's dependencies there without building it), so resolution comes in
 * three steps, each still pip's own:
 *
 * 1. the Python that runs lock resolves the tree with `--prefer-binary`: which versions;
 * 2. every sdist needs its build requirements inside the gap too (pip builds it in an isolated
 *    environment from the same index), so its pyproject.toml's `[build-system] requires` are
 *    resolved the same way, until a round brings no new sdist;
 * 3. for each target, pip picks the file of every pinned version with `--no-deps` (which pip
 *    allows with sdists): the target's wheel where there is one, else the sdist.
 *
 * Environment markers are those of the Python running lock (written down in the pypi LLD).
 */
export async function resolveWithSdists(e: PypiEntry, releaseDir: string, log: (m: string) => void): Promise<Map<Target, Resolved[]>> {
  const host = 'this host\'s python3';
  // Each group is one consistent resolution; build requirements get their own (pip builds them apart).
  const groups: Resolved[][] = [];
  let round = await pipReport(e, ['--prefer-binary', ...constraintsArg(e, releaseDir), ...e.requirements], host, 'check the requirements and constraints');
  const seen = new Set<string>();
  for (let i = 0; round.length; i++) {
    groups.push(round);
    const sdists = round.filter((r) => !isWheel(filenameOf(r.url)) && !seen.has(filenameOf(r.url)));
    for (const s of sdists) seen.add(filenameOf(s.url));
    const requires = [...new Set((await Promise.all(sdists.map((s) => buildRequires(e, s)))).flat())].sort();
    if (!requires.length) break;
    if (i >= MAX_BUILD_ROUNDS) throw new AirgapError(`pypi ${e.name}: build requirements still bring new sdists after ${MAX_BUILD_ROUNDS} rounds`, { hint: 'list wheels for the build backends in requirements, or check for a build-requirement cycle' });
    log(`lock: pypi ${e.name}: build requirements of ${sdists.map((s) => filenameOf(s.url)).join(', ')}: ${requires.join(', ')}`);
    round = await pipReport(e, ['--prefer-binary', ...requires], `build requirements: ${requires.join(', ')}`, 'the index must hold the build backends the sdists name');
  }

  const out = new Map<Target, Resolved[]>();
  for (const t of e.targets) {
    const files: Resolved[] = [];
    for (const g of groups) {
      const pins = g.map((r) => `${normalize(r.project)}==${r.version}`);
      log(`lock: pip picking files of ${pins.length} pinned packages for ${targetName(t)}`);
      files.push(...(await pipReport(e, ['--no-deps', '--prefer-binary', ...targetFlags(t), ...pins], targetName(t), 'the index has neither a wheel for this target nor an sdist of a pinned version')));
    }
    out.set(t, files);
  }
  return out;
}

/** An sdist's `[build-system] requires`, read with Python's own tomllib; pip's default without one. */
async function buildRequires(e: PypiEntry, s: Resolved): Promise<string[]> {
  const filename = filenameOf(s.url);
  const work = await mkdtemp(join(tmpdir(), 'airgap-sdist-'));
  try {
    const path = join(work, filename);
    const got = await hashUrl(s.url, { saveTo: path });
    if (s.sha256 && got.sha256 !== s.sha256) throw new AirgapError(`pypi ${e.name}: ${filename}: the index says sha256:${s.sha256}, the file is sha256:${got.sha256}`);
    const { stdout } = await run('python3', ['-c', READ_BUILD_REQUIRES, path]);
    return JSON.parse(stdout) as string[];
  } catch (err) {
    if (err instanceof AirgapError) throw err;
    throw new AirgapError(`pypi ${e.name}: cannot read the build requirements of ${filename}: ${(err as Error).message.split('\n').slice(-2).join(' ')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// pip 23's default for a project without [build-system] (pyproject.py: setuptools' legacy backend).
const READ_BUILD_REQUIRES = `
import json, sys, tarfile, tomllib, zipfile
p = sys.argv[1]
top = lambda names: min((n for n in names if n.count('/') == 1 and n.endswith('/pyproject.toml')), key=len, default=None)
if p.endswith('.zip'):
    z = zipfile.ZipFile(p); n = top(z.namelist()); data = z.read(n) if n else None
else:
    t = tarfile.open(p); n = top(t.getnames()); data = t.extractfile(n).read() if n else None
req = ['setuptools>=40.8.0', 'wheel']
if data is not None:
    bs = tomllib.loads(data.decode()).get('build-system')
    if bs is not None:
        req = bs.get('requires', [])
print(json.dumps(req))
`;
