import imageData from './data/kolla-2024.1-images.json' with { type: 'json' };
import aptData from './data/kolla-2024.1-debian-apt.json' with { type: 'json' };
import { UsageError } from '../util/errors.ts';

interface ImageTree {
  source: { commit: string; ref: string };
  images: Record<string, { parent: string | null; sources: string[]; unbuildableOn?: string[] }>;
}
/** What an image's rendered Debian Dockerfile installs (absent: nothing from apt, no pip). */
export interface ImageApt { packages?: string[]; repositories?: string[]; pip?: boolean }

export const IMAGES = imageData as unknown as ImageTree;
const APT = (aptData as unknown as { images: Record<string, ImageApt> }).images;

export const aptOf = (image: string): ImageApt => APT[image] ?? {};

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
