import pipData from './data/kolla-2024.1-pip.json' with { type: 'json' };
import { IMAGES } from './images.ts';

/** What each image's Dockerfile pip-installs (install_pip arguments), from Kolla's templates. */
const PIP = (pipData as unknown as { images: Record<string, string[]> }).images;
export const pipOf = (image: string): string[] => PIP[image] ?? [];

/** A released sdist's file name: `<dist>-<version>.tar.gz`; a branch tarball (keystone-unmaintained-2024.1) is not one. */
export function sdistOf(file: string): { dist: string; version: string } | undefined {
  const m = /^(.+?)-(\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*)\.(?:tar\.gz|tgz|tar\.bz2|zip)$/.exec(file);
  if (!m || /-(unmaintained|stable|master)$/.test(m[1])) return undefined;
  return { dist: m[1], version: m[2] };
}

/** The image and its ancestors, nearest first. */
function chain(image: string): string[] {
  const out: string[] = [];
  for (let n: string | null = image; n; n = IMAGES.images[n]?.parent ?? null) out.push(n);
  return out;
}

/**
 * The Python requirements the selected images install, as pip would be asked for them with the
 * release's upper-constraints: every named package, and for each path (/keystone[ldap],
 * /plugins/*) the project in the source tarball there, `<dist>[extras]==<version>` from its
 * released sdist's file name. `fileOf(section)` is the file the lock carries for a section
 * (undefined: a git source). A source whose version cannot be known at lock is named.
 */
export function imagesRequirements(images: string[], fileOf: (section: string) => string | undefined): { requirements: string[]; unknown: string[] } {
  const req = new Set<string>();
  const unknown = new Set<string>();
  const fromSection = (section: string, extras = '') => {
    const file = fileOf(section);
    const s = file ? sdistOf(file) : undefined;
    if (s) req.add(`${s.dist}${extras}==${s.version}`);
    else unknown.add(`${section} (${file ?? 'git'})`);
  };
  for (const image of images) {
    const sections = chain(image).flatMap((n) => IMAGES.images[n]?.sources ?? []);
    for (const item of pipOf(image)) {
      if (item.startsWith('-')) { unknown.add(`${image} ${item}`); continue; }
      if (!item.startsWith('/')) { req.add(item); continue; }
      if (item.startsWith('/plugins/')) {
        // a glob over the plugin directories, which Kolla names after the section's plugin part
        const glob = new RegExp(`^${item.slice('/plugins/'.length).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        for (const s of sections.filter((x) => x.includes('-plugin-') && glob.test(x.replace(/^.*?-plugin-/, '')))) fromSection(s);
        continue;
      }
      const own = sections.find((x) => !x.includes('-plugin-') && !x.includes('-additions-'));
      if (own) fromSection(own, /\[[^\]]*\]$/.exec(item)?.[0] ?? '');
      else unknown.add(`${image} ${item}`);
    }
  }
  return { requirements: [...req].sort(), unknown: [...unknown].sort() };
}
