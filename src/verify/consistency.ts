import type { Toc } from '../bundle/toc.ts';
import type { Lock } from '../lock/schema.ts';
import { kindOf } from '../kinds/index.ts';
import type { Problem } from '../evidence/schemas.ts';

/**
 * The signed TOC held to the lock it pins, and to itself, before a byte of any volume is read
 * (adr/0019): a signer can be wrong, and import trusts the TOC for where every blob is and what
 * bytes an artifact is. Pure; every problem names the artifact, blob or volume.
 */
export function tocLockProblems(toc: Toc, lock: Lock, lockBytes: number): Problem[] {
  const problems: Problem[] = [];
  const art = (artifact: string, message: string) => problems.push({ artifact, message });
  if (toc.release !== lock.version) problems.push({ message: `toc.json: release "${toc.release}", but the lock is version "${lock.version}"` });
  if (toc.created !== lock.created) problems.push({ message: `toc.json: created ${toc.created}, but the lock was created ${lock.created}` });
  if (toc.lock.size !== lockBytes) problems.push({ message: `toc.json: the lock is ${toc.lock.size} bytes, but factory.lock.json is ${lockBytes}` });

  const volumes = new Map<string, number>();
  for (const v of toc.volumes) {
    if (volumes.has(v.name)) problems.push({ volume: v.name, message: 'listed twice in the TOC' });
    volumes.set(v.name, 0);
  }
  const blobs = new Map<string, Toc['blobs'][number]>();
  for (const b of toc.blobs) {
    if (blobs.has(b.digest)) problems.push({ message: `blob ${b.digest}: listed twice in the TOC` });
    blobs.set(b.digest, b);
    if (!volumes.has(b.volume)) problems.push({ volume: b.volume, message: `blob ${b.digest} is in this volume, which the TOC does not list` });
    else volumes.set(b.volume, volumes.get(b.volume)! + 1);
  }
  for (const v of toc.volumes) {
    if (volumes.get(v.name) !== v.blobs) problems.push({ volume: v.name, message: `the TOC says it holds ${v.blobs} blobs, its blob list puts ${volumes.get(v.name)} there` });
  }

  const inLock = new Map<string, Lock['artifacts'][number]>();
  for (const a of lock.artifacts) {
    if (inLock.has(a.id)) art(a.id, 'twice in the lock');
    inLock.set(a.id, a);
  }
  const used = new Set<string>();
  const inToc = new Set<string>();
  for (const t of toc.artifacts) {
    if (inToc.has(t.id)) art(t.id, 'twice in the TOC');
    inToc.add(t.id);
    for (const d of t.blobs) used.add(d);
    const a = inLock.get(t.id);
    if (!a) { art(t.id, 'in the bundle but not in the lock'); continue; }
    for (const f of ['kind', 'name', 'version'] as const) {
      if (t[f] !== a[f]) art(t.id, `the TOC says ${f} "${t[f]}", the lock says "${a[f]}"`);
    }
    if (t.kind !== a.kind) continue;
    const pin = kindOf(a).pinnedRoot(a);
    if (pin && t.digest !== pin.digest) art(t.id, `the TOC gives digest ${t.digest}, the lock pins ${pin.digest}`);
    if (t.blobs[0] !== t.digest) art(t.id, `its first blob ${t.blobs[0]} is not its digest ${t.digest}`);
    const missing = t.blobs.filter((d) => !blobs.has(d));
    if (missing.length) { art(t.id, `blob ${missing.join(', ')} is in no volume the TOC lists`); continue; }
    const root = blobs.get(t.digest)!;
    if (pin?.size !== undefined && root.size !== pin.size) art(t.id, `the TOC gives ${root.size} bytes, the lock pins ${pin.size}`);
    const size = t.blobs.reduce((n, d) => n + blobs.get(d)!.size, 0);
    if (t.size !== size) art(t.id, `the TOC gives size ${t.size}, its blobs add up to ${size}`);
    if (t.volume !== root.volume) art(t.id, `the TOC puts it in ${t.volume}, its first blob is in ${root.volume}`);
  }
  for (const a of lock.artifacts) if (!inToc.has(a.id)) art(a.id, 'in the lock but not in the bundle');
  for (const b of toc.blobs) if (!used.has(b.digest)) problems.push({ volume: b.volume, message: `blob ${b.digest}: no artifact needs it` });
  return problems;
}
