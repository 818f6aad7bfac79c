import type { Lock } from '../lock/schema.ts';
import type { KollaEntry } from '../generators/kolla.ts';
import { KOLLA_2024_1 } from './options.ts';
import { renderKollaBuildConf, type KollaSource } from './build-conf.ts';
import { FACTORY_KEY_NAME, renderTemplateOverride } from './overrides.ts';
import { renderReposYaml, type AptRepo } from './repos-yaml.ts';
import { IMAGES, aptOf, selectImages } from './images.ts';
import { OPENSTACK_BACKPORTS, UPPER_CONSTRAINTS, kollaHostTarget, patternsOf } from '../generators/kolla.ts';
import { targetName } from '../kinds/pypi/resolve.ts';
import { AirgapError } from '../util/errors.ts';

export interface KollaPlanInput {
  lock: Lock;
  entry: KollaEntry;
  /** the repository server inside the gap, as the build reaches it */
  serverUrl: string;
  /** host:port the images go to, and the base image's reference there (without tag) */
  registry: string;
  baseImage: string;
  baseTag: string;
  aptKeyInImage: string;
  /** where the rendered files will be, as kolla-build reads them */
  confDir: string;
  workDir: string;
  tag: string;
}

export interface KollaPlan {
  images: string[];
  files: { 'kolla-build.conf': string; 'template-overrides.j2': string; 'repos.yaml': string };
  /** the lock's artifacts each source section uses */
  sources: Record<string, KollaSource>;
}

/** A pypi file that only Kolla itself (the build host's venv) uses, not the images. */
function isKollaItself(a: { kind: string }, e: KollaEntry): boolean {
  if (!e.kolla || !('pip' in e.kolla)) return false;
  const host = targetName({ ...kollaHostTarget(e.kolla.python), implementation: 'cp' });
  const t = (a as unknown as { targets: string[] }).targets;
  return t.length === 1 && t[0] === host;
}

/**
 * What kolla-build reads for this lock, and nothing from outside it: every source section of the
 * selected images at its served location, pinned by the lock's sha256 (Kolla checks it for url
 * sources) or commit; apt and pip at the served repositories. Pure: the builder writes the files.
 * A source the lock does not carry is an error here, before any engine starts.
 */
export function planKollaBuild(i: KollaPlanInput): KollaPlan {
  const e = i.entry;
  // kolla-build builds for its host's architecture (base_arch); the build hosts are amd64
  const arch = 'amd64';
  if (!e.architectures.includes(arch)) throw new AirgapError(`kolla ${e.name}: the lock carries architectures ${e.architectures.join(', ')}; this build host builds ${arch}`);
  const images = selectImages(patternsOf(e), arch);
  const byName = new Map(i.lock.artifacts.map((a) => [a.name, a as typeof a & Record<string, any>]));
  const sources: Record<string, KollaSource> = {};
  const missing: string[] = [];
  for (const image of images) {
    for (const section of IMAGES.images[image].sources) {
      const s = KOLLA_2024_1.sources[section] as { type: string; location: string };
      // an operator's override is one artifact for every arch; Kolla's per-arch defaults one each
      const name = `kolla-${section}${!e.sources[section] && s.location.includes('debian_arch') ? `-${arch}` : ''}`;
      const a = byName.get(name);
      if (!a) { missing.push(name); continue; }
      // what the lock carries decides the type: a git repository at its commit, or a file by its sha256
      if (a.kind === 'git') {
        sources[section] = { type: 'git', location: `${i.serverUrl}/repository/git/${a.name}.git`, reference: a.commit };
        continue;
      }
      // Kolla checks sha256[debian_arch] of every url source: the lock's hash, not the tip of a branch
      sources[section] = { type: 'url', location: `${i.serverUrl}/repository/raw/${a.path}`, sha256: `${arch}:${a.sha256}` };
    }
  }
  const pip = i.lock.artifacts.some((a) => a.kind === 'pypi' && !isKollaItself(a, e)) ? `${i.serverUrl}/repository/pypi/simple/` : undefined;
  const carried = (repository: string) => i.lock.artifacts.some((a) => a.kind === 'apt' && (a as unknown as { repository: string }).repository === repository);
  // Kolla's third-party repositories, each served under its own name and signed with the factory key
  const repos: Record<string, AptRepo> = {};
  for (const r of [...new Set(images.flatMap((n) => aptOf(n).repositories ?? []))].sort()) {
    const d = e.repositories[r];
    if (!d || !carried(r)) { missing.push(`apt repository ${r}`); continue; }
    repos[r] = { url: `${i.serverUrl}/repository/${r}`, suite: d.suite, component: d.component, gpg_key: `${FACTORY_KEY_NAME}.gpg` };
  }
  if (missing.length) throw new AirgapError(`kolla ${e.name}: the lock carries no ${missing.join(', ')}`, { hint: 'lock the release again with this kolla entry (its inputs are added at lock)' });
  const reposYaml = renderReposYaml(repos);
  const conf = renderKollaBuildConf({
    baseImage: i.baseImage, baseTag: i.baseTag, registry: i.registry, namespace: 'kolla', tag: i.tag, push: true,
    tarballsBase: `${i.serverUrl}/repository/raw/kolla`, regex: images.map((n) => `^${n}$`), sources,
    templateOverride: `${i.confDir}/template-overrides.j2`, reposYaml: `${i.confDir}/repos.yaml`, workDir: i.workDir,
    summaryJsonFile: `${i.confDir}/summary.json`,
  });
  const debian = e.debian?.repository ?? 'debian';
  const constraints = byName.get(UPPER_CONSTRAINTS) as { path: string } | undefined;
  const overrides = renderTemplateOverride({
    aptRepository: `${i.serverUrl}/repository/${debian}`, aptSuite: e.debian?.suite ?? 'bookworm', aptKeyInImage: i.aptKeyInImage,
    keyUrl: `${i.serverUrl}/repository/${debian}/repository-key.gpg`, pipIndexUrl: pip,
    ...(pip && constraints ? { constraintsUrl: `${i.serverUrl}/repository/raw/${constraints.path}` } : {}),
    ...(e.openstackBackports && carried(OPENSTACK_BACKPORTS) ? { openstackBackports: { url: `${i.serverUrl}/repository/${OPENSTACK_BACKPORTS}`, suite: e.openstackBackports.suites[0] } } : {}),
  });
  return { images, files: { 'kolla-build.conf': conf, 'template-overrides.j2': overrides, 'repos.yaml': reposYaml }, sources };
}
