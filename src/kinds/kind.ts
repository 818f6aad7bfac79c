import type { z } from 'zod';
import type { Store, Blob } from '../store/store.ts';

/** What every locked artifact has, whatever its kind. */
export interface LockedBase {
  kind: string;
  /** unique in a lock: `<kind>:<name>[:<qualifier>]` */
  id: string;
  name: string;
  version: string;
}

export interface StepContext {
  /** where relative paths in the declaration resolve */
  releaseDir: string;
  log: (message: string) => void;
}

export interface MirrorContext extends StepContext {
  store: Store;
  onBytes?: (n: number) => void;
}

/** The embedded repository an import writes into (see src/repository/). */
export interface ImportContext {
  repoRoot: string;
  /** content-addressed blobs already extracted and checked */
  store: Store;
  /** same filesystem as the repository: build here, then rename into place */
  tmpDir: string;
  /** also push into this registry (`airgap import --registry URL`) */
  registry?: string;
  /** the OpenPGP secret key that signs apt repositories (`airgap import --apt-key FILE`) */
  aptKey?: string;
  log: (message: string) => void;
}

/**
 * A kind plugs into every step through this one interface: declared entries are validated by
 * `entry`, pinned by `lock`, fetched into the shared store by `mirror`, named as blobs for the
 * bundle by `blobs`, and laid into a repository by `place`. Nothing else in the pipeline knows
 * what a git repository or a tarball is.
 */
export interface Kind<Entry = unknown, Locked extends LockedBase = LockedBase> {
  name: string;
  /** the repository format its artifacts are served in */
  repository: { name: string; format: string };
  entry: z.ZodType<Entry>;
  locked: z.ZodType<Locked>;
  lock(entries: Entry[], ctx: StepContext): Promise<Locked[]>;
  mirror(artifact: Locked, ctx: MirrorContext): Promise<Blob[]>;
  /** the blobs of a mirrored artifact, first one is its root; undefined when not mirrored */
  blobs(artifact: Locked, store: Store): Promise<Blob[] | undefined>;
  /**
   * The root blob as the lock pins it (digest, and size when the lock has it), so verify can hold
   * the TOC to the lock; undefined when the lock pins something else (git: a commit, which import
   * checks once the objects are in).
   */
  pinnedRoot(artifact: Locked): { digest: string; size?: number } | undefined;
  place(artifact: Locked, blobs: Blob[], ctx: ImportContext): Promise<string[]>;
  /** after every artifact of the import is placed: indexes that cover the whole repository */
  finalize?(ctx: ImportContext): Promise<void>;
}
