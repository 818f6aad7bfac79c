import type { Kind, LockedBase } from './kind.ts';
import { fileKind } from './file/index.ts';
import { gitKind } from './git/index.ts';
import { ociKind } from './oci/index.ts';
import { pypiKind } from './pypi/index.ts';
import { aptKind } from './apt/index.ts';
import { UsageError } from '../util/errors.ts';

/** Every kind the pipeline knows, in the order their sections appear in a declaration. */
export const kinds: Kind<any, any>[] = [fileKind, gitKind, ociKind, pypiKind, aptKind];

export function kindOf(artifact: Pick<LockedBase, 'kind' | 'id'>): Kind<unknown, LockedBase> {
  const k = kinds.find((x) => x.name === artifact.kind);
  if (!k) throw new UsageError(`${artifact.id}: unknown kind "${artifact.kind}"`, `known kinds: ${kinds.map((x) => x.name).join(', ')}`);
  return k;
}
