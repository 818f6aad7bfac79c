import { z } from 'zod';
import imageData from '../kolla/data/kolla-2024.1-images.json' with { type: 'json' };
import type { Generator } from './generator.ts';
import { KOLLA_2024_1 } from '../kolla/options.ts';
import { UsageError } from '../util/errors.ts';
import { urlBasename } from '../util/paths.ts';

interface ImageTree {
  source: { commit: string; ref: string };
  images: Record<string, { parent: string | null; sources: string[]; unbuildableOn?: string[] }>;
}
const IMAGES = imageData as unknown as ImageTree;

export const kollaEntry = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  release: z.literal('2024.1'),
  base: z.literal('debian'),
  /** Kolla's own selection: each is a regular expression searched in the image name (re.search), so `keystone` also picks keystone-fernet */
  images: z.array(z.string().min(1)).min(1),
  architectures: z.array(z.enum(['amd64', 'arm64'])).default(['amd64']),
  /** where $tarballs_base points in Env A (Kolla's default is OpenStack's tarball site) */
  tarballsBase: z.string().url(),
  /** Kolla's openstack_branch for 2024.1 source tarballs */
  openstackBranch: z.string().default('unmaintained-2024.1'),
});
export type KollaEntry = z.infer<typeof kollaEntry>;

/**
 * The images a selection builds: every image whose name a pattern matches (Kolla's regex
 * semantics), minus those Kolla cannot build on Debian, plus every ancestor (a child needs its
 * parents built first).
 */
export function selectImages(patterns: string[], arch: string): string[] {
  const res = patterns.map((p) => {
    try { return new RegExp(p); } catch (err) { throw new UsageError(`kolla: images: "${p}" is not a regular expression: ${(err as Error).message}`); }
  });
  const unbuildable = (name: string) => (IMAGES.images[name].unbuildableOn ?? []).some((u) => u === 'debian' || u === `debian+${arch === 'arm64' ? 'aarch64' : 'x86_64'}`);
  const chosen = new Set<string>();
  for (const name of Object.keys(IMAGES.images)) {
    if (!res.some((r) => r.test(name)) || unbuildable(name)) continue;
    for (let n: string | null = name; n && !chosen.has(n); n = IMAGES.images[n]?.parent ?? null) chosen.add(n);
  }
  if (!chosen.size) throw new UsageError(`kolla: images ${patterns.join(', ')} select no image Kolla ${IMAGES.source.ref} builds on Debian`);
  return [...chosen].sort();
}

/** A source's location with Kolla's variables filled in as kolla-build would. */
function location(section: string, e: KollaEntry, arch: string): string {
  const s = KOLLA_2024_1.sources[section] as { location: string; version?: string };
  // Kolla's debian_arch is Debian's own architecture name, which is ours too
  const vars: Record<string, string> = { tarballs_base: e.tarballsBase.replace(/\/+$/, ''), openstack_branch: e.openstackBranch, debian_arch: arch, version: s.version ?? '' };
  return s.location.replace(/\$\{?([a-z_]+)\}?/g, (m, v: string) => {
    if (!(v in vars) || vars[v] === '') throw new UsageError(`kolla: source [${section}]: ${m} in ${s.location} has no value`);
    return vars[v];
  });
}

/**
 * kolla → file (and git) entries: every source of every selected image, with Kolla's location.
 * Lock pins each by sha256, so a selection whose sources cannot be fetched fails here, in Env A,
 * naming the source (entry `kolla-<section>`), not hours later in Env B's kolla-build.
 */
export const kollaGenerator: Generator<KollaEntry> = {
  name: 'kolla',
  entry: kollaEntry as never,
  async expand(entries, ctx) {
    const file: unknown[] = [];
    const git: unknown[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      for (const arch of e.architectures) {
        const images = selectImages(e.images, arch);
        ctx.log(`lock: kolla ${e.name} (${arch}): ${images.length} images: ${images.join(', ')}`);
        for (const section of [...new Set(images.flatMap((i) => IMAGES.images[i].sources))].sort()) {
          const s = KOLLA_2024_1.sources[section] as { type: string; location: string; reference?: string };
          if (s.type === 'git') {
            if (!seen.has(section)) git.push({ name: `kolla-${section}`, url: s.location, ref: s.reference ?? 'HEAD' });
            seen.add(section);
            continue;
          }
          if (s.type !== 'url') throw new UsageError(`kolla: source [${section}] is of type ${s.type}, which cannot cross the gap`);
          const url = location(section, e, arch);
          const perArch = s.location.includes('debian_arch');
          const name = `kolla-${section}${perArch ? `-${arch}` : ''}`;
          if (seen.has(name)) continue;
          seen.add(name);
          file.push({ name, url, version: e.release, path: `kolla/${section}/${perArch ? `${arch}/` : ''}${urlBasename(url)}` });
        }
      }
    }
    return { file, git };
  },
};
