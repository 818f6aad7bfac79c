// npm run bench:apt [-- --runs 3 --json]: Debian dependency closure at the size of a real archive.
// Takes the host's own apt list of <codename> main amd64 (about 64k packages for bookworm; run
// `apt-get update` first if there is none), and times, best of --runs, interleaved:
//   airgap's closure (parse the Packages file, resolve) in a child process, and
//   apt-get -s install of the same names with an empty dpkg status over the same list (apt's own
//   resolver, its cache built in memory each run),
// with peak RSS of each. The wanted set: every Priority required and important package plus a few
// big desktop and server packages. Informative: exit 0 unless a step fails.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '../src/host/exec.ts';
import { hostCodename, hostSourceFor } from '../src/apt/host-sources.ts';
import { measure, rssProbe, type Measured } from './bench/measure.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
const LISTS = '/var/lib/apt/lists';
const BIG = ['gnome-core', 'libreoffice', 'kde-plasma-desktop', 'postgresql', 'openjdk-17-jdk', 'python3-nova', 'texlive-latex-extra'];
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

const codename = await hostCodename();
const source = codename ? await hostSourceFor(codename) : undefined;
const listName = (await readdir(LISTS)).find((f) => codename && f.includes(`_dists_${codename}_main_binary-amd64_Packages`));
if (!codename || !source || !listName) {
  log(`no apt list of ${codename ?? '(unknown release)'} main amd64 in ${LISTS}: run apt-get update first (the bench uses the host's own)`);
  process.exit(1);
}
const inRelease = (await readdir(LISTS)).find((f) => f === listName.replace(/_main_binary-amd64_Packages.*$/, '_InRelease'));

const work = await mkdtemp(join(tmpdir(), 'airgap-bench-apt-'));
try {
  // the same bytes for both: apt reads the list as the host keeps it, airgap the decompressed text
  await mkdir(join(work, 'lists/partial'), { recursive: true });
  await copyFile(join(LISTS, listName), join(work, 'lists', listName));
  if (inRelease) await copyFile(join(LISTS, inRelease), join(work, 'lists', inRelease));
  const text = (await run('/usr/lib/apt/apt-helper', ['cat-file', join(LISTS, listName)])).stdout;
  const packagesFile = join(work, 'Packages');
  await writeFile(packagesFile, text);
  const names = new Set<string>();
  for (const stanza of text.split('\n\n')) {
    if (/^Priority: (required|important)$/m.test(stanza) && /^Architecture: (amd64|all)$/m.test(stanza)) names.add(/^Package: (\S+)$/m.exec(stanza)![1]);
  }
  const present = new Set([...text.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
  for (const b of BIG) if (present.has(b)) names.add(b);
  const wanted = [...names].sort();
  log(`${codename} main amd64 (the host's apt list): ${present.size} package names, ${(text.length / 1e6).toFixed(0)} MB of text; closure of ${wanted.length} names`);

  await writeFile(join(work, 'status'), '');
  await writeFile(join(work, 'sources.list'), `deb ${source.uri} ${codename} main\n`);
  const aptArgs = [
    '-o', `Dir::State::Lists=${join(work, 'lists')}`, '-o', `Dir::State::status=${join(work, 'status')}`,
    '-o', `Dir::Etc::SourceList=${join(work, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(work, 'none')}`,
    '-o', `Dir::Etc::Preferences=${join(work, 'none')}`, '-o', `Dir::Etc::PreferencesParts=${join(work, 'none')}`,
    '-o', 'Dir::Cache::pkgcache=', '-o', 'Dir::Cache::srcpkgcache=', '-o', 'APT::Architecture=amd64', '-o', 'APT::Architectures=amd64',
    '-o', 'Debug::NoLocking=1', '-s', 'install', '--no-install-recommends', ...wanted,
  ];
  const probe = rssProbe(log);
  const ours: Measured[] = [];
  const apts: Measured[] = [];
  for (let r = 0; r < RUNS; r++) {
    log(`round ${r + 1}/${RUNS}`);
    ours.push(await measure('airgap closure', process.execPath, [join(import.meta.dirname, 'bench/apt-closure.ts'), packagesFile, 'amd64', codename, ...wanted], { probe, scratch: work }));
    apts.push(await measure('apt-get -s install', 'apt-get', aptArgs, { probe, scratch: work }));
  }
  const best = (m: Measured[]) => m.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const o = best(ours);
  const a = best(apts);
  const detail = JSON.parse(o.stdout) as { packages: number; chosen: number; parseMs: number; resolveMs: number; names: string[] };
  const aptNames = new Set([...a.stdout.matchAll(/^Inst (\S+) /gm)].map((m) => m[1]));
  const onlyOurs = detail.names.filter((n) => !aptNames.has(n));
  const onlyApt = [...aptNames].filter((n) => !detail.names.includes(n));
  const report = {
    list: `${codename} main amd64`, packages: detail.packages, wanted: wanted.length,
    airgap: { seconds: o.seconds, parseSeconds: detail.parseMs / 1000, resolveSeconds: detail.resolveMs / 1000, peakRssMB: (o.maxRssKiB ?? 0) / 1024, chosen: detail.chosen },
    apt: { seconds: a.seconds, peakRssMB: (a.maxRssKiB ?? 0) / 1024, chosen: aptNames.size },
    ratio: a.seconds / o.seconds, onlyAirgap: onlyOurs, onlyApt,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    console.log(`airgap bench apt: closure of ${wanted.length} names (Priority required + important + ${BIG.filter((b) => present.has(b)).join(', ')}) over ${detail.packages} stanzas of ${report.list} (the host's apt list)`);
    console.log(`timing: best of ${RUNS} runs, interleaved; wall time of each process (airgap includes Node start-up and reading the file)\n`);
    console.log('step                        best s   peak RSS   packages chosen');
    console.log('-------------------------------------------------------------------');
    console.log(`airgap closure            ${o.seconds.toFixed(2).padStart(8)}   ${mb(report.airgap.peakRssMB).padStart(8)}   ${detail.chosen}   (parse ${report.airgap.parseSeconds.toFixed(2)} s, resolve ${report.airgap.resolveSeconds.toFixed(2)} s)`);
    console.log(`apt-get -s install (ref)  ${a.seconds.toFixed(2).padStart(8)}   ${mb(report.apt.peakRssMB).padStart(8)}   ${aptNames.size}`);
    console.log(`\nairgap at ${report.ratio.toFixed(2)}× apt's speed; ${onlyOurs.length} packages only airgap chose, ${onlyApt.length} only apt chose (alternatives and virtual packages are picked by different rules)`);
    if (onlyOurs.length || onlyApt.length) console.log(`only airgap: ${onlyOurs.slice(0, 15).join(' ')}${onlyOurs.length > 15 ? ' …' : ''}\nonly apt:    ${onlyApt.slice(0, 15).join(' ')}${onlyApt.length > 15 ? ' …' : ''}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
