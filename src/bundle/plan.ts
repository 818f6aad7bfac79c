import type { Blob } from '../store/store.ts';
import { END_OF_ARCHIVE, entryBytes } from '../tar/header.ts';
import { AirgapError } from '../util/errors.ts';
import { formatSize } from '../util/size.ts';
import { volumeFileName } from './toc.ts';

/**
 * The largest --volume-size taken. No single medium holds more; a larger value is a typo (99999T),
 * and past 2^53 bytes the sizes in toc.json would no longer be exact numbers.
 */
export const MAX_VOLUME_SIZE = 64 * 2 ** 40;
/** volume-0001.tar … volume-9999.tar: the name has four digits */
export const MAX_VOLUMES = 9999;

export interface PlannedArtifact {
  id: string;
  blobs: Blob[];
}

export interface VolumePlan {
  name: string;
  blobs: Blob[];
  /** exact archive size: entries + end-of-archive marker */
  size: number;
}

/**
 * Pure: which blob goes in which volume. Blobs keep lock order (artifacts sorted by id, each
 * artifact's blobs in order), each blob stored once, volumes filled greedily and split only at
 * entry boundaries, so every volume is a tar that stands on its own. A blob that cannot fit in
 * an empty volume is an error naming who needs it, not a volume over the limit.
 */
export function planVolumes(artifacts: PlannedArtifact[], volumeSize: number): VolumePlan[] {
  const seen = new Set<string>();
  const users = new Map<string, string[]>();
  const order: Blob[] = [];
  for (const a of artifacts) {
    for (const b of a.blobs) {
      users.set(b.digest, [...(users.get(b.digest) ?? []), a.id]);
      if (!seen.has(b.digest)) { seen.add(b.digest); order.push(b); }
    }
  }
  const volumes: VolumePlan[] = [];
  let cur: VolumePlan | undefined;
  for (const b of order) {
    const need = entryBytes(b.size);
    if (need + END_OF_ARCHIVE.length > volumeSize) {
      throw new AirgapError(
        `${users.get(b.digest)!.join(', ')}: ${formatSize(b.size)} does not fit in a volume of ${formatSize(volumeSize)}`,
        { exitCode: 2, hint: `raise --volume-size to at least ${need + END_OF_ARCHIVE.length} bytes` },
      );
    }
    if (!cur || cur.size + need > volumeSize) {
      if (volumes.length === MAX_VOLUMES) {
        throw new AirgapError(`more than ${MAX_VOLUMES} volumes of ${formatSize(volumeSize)}`, { exitCode: 2, hint: 'raise --volume-size' });
      }
      cur = { name: volumeFileName(volumes.length), blobs: [], size: END_OF_ARCHIVE.length };
      volumes.push(cur);
    }
    cur.blobs.push(b);
    cur.size += need;
  }
  return volumes;
}
