import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Kind } from '../kind.ts';
import { aptEntry, aptLocked, type AptEntry, type AptLocked } from './schema.ts';
import { pinnedFileSteps } from '../pinned-file.ts';
import { placeBlob } from '../../repository/link.ts';
import { Repository } from '../../repository/layout.ts';
import { fetchBytes, fetchPackages } from '../../apt/fetch-index.ts';
import { readKeyring, verifyInRelease } from '../../apt/release.ts';
import { parsePackages, resolveClosure, type DebPackage } from '../../apt/closure.ts';
import { releasePinPriority } from '../../apt/candidate.ts';
import { packagesText, releaseText, signRelease, withFilename } from '../../apt/publish.ts';
import { readOpenpgpSecretKey } from '../../trust/openpgp.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic.ts';
import { AirgapError, UsageError } from '../../util/errors.ts';
import { parseDepends, type Relation } from '../../apt/depends.ts';
import { underRoot } from '../../util/under-root.ts';
import { probeApt } from './probe.ts';

const NO_KEY = { why: 'the bundle carries Debian packages, but no key to sign their repository was given', hint: 'pass --apt-key FILE (make one with `airgap keygen --openpgp`)' };

const SIDECARS = '.packages';

export const aptKind: Kind<AptEntry, AptLocked> = {
  name: 'apt',
  repository: { name: 'debian', format: 'apt' },
  entry: aptEntry as never,
  locked: aptLocked,

  /**
   * Per source: InRelease verified against its keyring, each Packages file checked against the
   * Release hashes, then the closure resolved per architecture with apt's candidates (adr/0021).
   */
  async lock(entries, ctx) {
    const out = new Map<string, AptLocked>();
    for (const e of entries) {
      // the entry's own source, then each `also` source: all of them offer candidates (candidate.ts)
      const sources = [{ url: e.url, suites: e.suites, components: e.components, keyring: e.keyring, allowExpired: e.allowExpired, as: e.as, pinPriority: e.pinPriority }, ...e.also];
      const pkgs: DebPackage[] = [];
      const from = new Map<DebPackage, { base: string; component: string; as: { repository: string; suite: string } }>();
      for (const [n, src] of sources.entries()) {
        const keyringPath = resolve(ctx.releaseDir, src.keyring);
        const keyring = await readKeyring(await readFile(keyringPath).catch(() => { throw new UsageError(`apt ${e.name}: keyring ${keyringPath} not found`); }));
        const base = src.url.replace(/\/+$/, '');
        for (const suite of src.suites) {
          ctx.log(`lock: apt ${e.name}: ${n ? `${base} ` : ''}${suite}`);
          const where = `${base}/dists/${suite}/InRelease`;
          const release = await verifyInRelease((await fetchBytes(where)).toString('utf8'), keyring, where, { allowExpired: src.allowExpired, suite });
          // the declaration's pin priority, else apt's default for this Release (NotAutomatic suites rank low)
          const pinPriority = src.pinPriority ?? releasePinPriority(release);
          for (const comp of src.components) {
            for (const arch of e.architectures) {
              const { text, path } = await fetchPackages(base, suite, release, comp, arch);
              for (const p of parsePackages(text, `${base} ${suite}/${comp}`, `${base}/${path}`, pinPriority)) {
                pkgs.push(p);
                from.set(p, { base, component: comp, as: { repository: src.as.repository, suite: src.as.suite ?? src.suites[0] } });
              }
            }
          }
        }
      }
      for (const arch of e.architectures) {
        const wanted: Relation[] = [
          ...e.packages.map(wantedRelation),
          ...[...new Set(pkgs.filter((p) => p.priority && (e.priorities as string[]).includes(p.priority) && (p.architecture === arch || p.architecture === 'all')).map((p) => p.name))].map((name) => ({ name })),
        ];
        // without closure: each named package alone (its dependencies are the operator's business)
        const chosen = e.closure ? resolveClosure(pkgs, wanted, arch) : wanted.flatMap((w) => resolveClosure(pkgs.filter((p) => p.name === w.name).map((p) => ({ ...p, depends: [] })), [w], arch));
        for (const p of chosen) {
          const { base, component, as } = from.get(p) ?? from.get(pkgs.find((x) => x.name === p.name && x.version === p.version && x.origin === p.origin)!)!;
          // the suite is part of the id: one .deb sent to two suites of a repository is in both indexes
          const id = `apt:${as.repository}/${as.suite}:${p.name}_${p.version}_${p.architecture}`;
          const known = out.get(id);
          if (known) { if (!known.indexes.includes(arch)) known.indexes.push(arch); continue; }
          out.set(id, aptLocked.parse({
            kind: 'apt', id, name: p.name, version: p.version, architecture: p.architecture, url: `${base}/${poolUrlPath(p.filename)}`,
            sha256: p.sha256, size: p.size, filename: p.filename, repository: as.repository, suite: as.suite,
            component, indexes: [arch], control: p.control,
          }));
        }
      }
    }
    return [...out.values()];
  },

  ...pinnedFileSteps<AptLocked>(),
  importOptions: [{ flag: 'apt-key', value: 'FILE', help: 'OpenPGP secret key that signs the apt repositories (airgap keygen --openpgp)', required: NO_KEY }],
  // each artifact names its repository (debian, a backports repository…), not the kind
  repositories: (as) => Object.fromEntries(as.map((a) => [a.repository, 'apt' as const])),
  probe: probeApt,

  /** The .deb in the pool; its stanza in a sidecar per index it belongs to. */
  async place(a, blobs, ctx) {
    const pool = underRoot(ctx.repoRoot, a.repository, a.filename);
    const sidecars = a.indexes.map((arch) => underRoot(ctx.repoRoot, a.repository, SIDECARS, a.suite, a.component, arch, `${a.name}_${a.version}_${a.architecture}.json`));
    await placeBlob(ctx.store, blobs[0].digest, pool, ctx.tmpDir);
    for (const path of sidecars) await writeJsonAtomic(path, { control: withFilename(a.control, a.filename) });
    return [`${a.repository}/${a.filename}`];
  },

  /** Packages(.gz), Release, InRelease and Release.gpg for every suite, signed with the factory key. */
  async finalize(ctx) {
    const repos: Record<string, string> = {};
    for (const repo of await readdir(ctx.repoRoot).catch(() => [] as string[])) {
      const sidecars = join(ctx.repoRoot, repo, SIDECARS);
      const suites = await readdir(sidecars).catch(() => undefined);
      if (!suites) continue;
      const aptKey = ctx.options?.['apt-key'];
      if (!aptKey) throw new AirgapError('Debian packages are imported, but no key to sign their repository was given', { exitCode: 2, hint: NO_KEY.hint });
      const key = await readOpenpgpSecretKey(aptKey);
      for (const suite of suites) {
        const files = new Map<string, Buffer>();
        const components = await readdir(join(sidecars, suite));
        const arches = new Set<string>();
        for (const comp of components) {
          for (const arch of await readdir(join(sidecars, suite, comp))) {
            arches.add(arch);
            const dir = join(sidecars, suite, comp, arch);
            const stanzas = await Promise.all((await readdir(dir)).map(async (f) => (JSON.parse(await readFile(join(dir, f), 'utf8')) as { control: string }).control));
            const text = Buffer.from(packagesText(stanzas));
            files.set(`${comp}/binary-${arch}/Packages`, text);
            files.set(`${comp}/binary-${arch}/Packages.gz`, gzipSync(text, { level: 9 }));
          }
        }
        const dists = join(ctx.repoRoot, repo, 'dists', suite);
        await mkdir(dists, { recursive: true });
        for (const [path, bytes] of files) await writeFileAtomic(join(dists, path), bytes);
        const release = releaseText({ suite, components: components.sort(), architectures: [...arches].sort(), date: new Date(), files });
        const signed = await signRelease(release, key);
        await writeFileAtomic(join(dists, 'Release'), release);
        await writeFileAtomic(join(dists, 'Release.gpg'), signed.releaseGpg);
        await writeFileAtomic(join(dists, 'InRelease'), signed.inRelease);
      }
      // where Nexus publishes it: clients fetch it for signed-by
      await writeFileAtomic(join(ctx.repoRoot, repo, 'repository-key.gpg'), Buffer.from(key.toPublic().write()));
      await writeFileAtomic(join(ctx.repoRoot, repo, 'repository-key.asc'), key.toPublic().armor());
      repos[repo] = 'apt';
    }
    await new Repository(ctx.repoRoot).addRepositories(repos);
  },
};

/** A pool path as a URL path: names may hold %, + or an epoch's colon (apt-get download writes %3a). */
const poolUrlPath = (filename: string) => filename.split('/').map(encodeURIComponent).join('/');

/** `hello`, `hello=2.10-3` or `hello (>= 2.10)` → the relation the closure is asked for. */
const wantedRelation = (spec: string): Relation => {
  const exact = /^([^=\s(]+)=(.+)$/.exec(spec);
  return exact ? { name: exact[1], op: '=', version: exact[2] } : parseDepends(spec)[0][0];
};
