import type { z } from 'zod';
import type { Store, Blob } from '../store/store.ts';
import type { RepositoryFormat } from '../repository/formats.ts';

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
  /**
   * The values of the import options kinds declare (Kind.importOptions), by flag name: a kind
   * reads its own, generic code never looks inside.
   */
  options?: Readonly<Record<string, string | undefined>>;
  log: (message: string) => void;
}

/** An `airgap import --<flag> VALUE` a kind reads from ImportContext.options. */
export interface ImportOption {
  flag: string;
  /** the value's placeholder in the usage line: URL, FILE */
  value: string;
  help: string;
  /** checked when given, before the bundle is read: throws a UsageError naming the flag */
  check?(value: string): void;
  /**
   * When set, an import of a bundle that carries this kind refuses to start without the option:
   * the message says what is missing, the hint how to get it (exit 2, before anything is written).
   */
  required?: { why: string; hint: string };
}

/** What a probe after serve gets: where the repository is served, and a directory of its own. */
export interface ProbeContext {
  serverUrl: string;
  scratchDir: string;
}

/**
 * A kind plugs into every step through this one interface: declared entries are validated by
 * `entry`, pinned by `lock`, fetched into the shared store by `mirror`, named as blobs for the
 * bundle by `blobs`, and laid into a repository by `place`. Nothing else in the pipeline knows
 * what a git repository or a tarball is.
 */
export interface Kind<Entry = unknown, Locked extends LockedBase = LockedBase> {
  name: string;
  /** the repository its artifacts are served in (see src/repository/formats.ts) */
  repository: { name: string; format: RepositoryFormat };
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

  // Optional capabilities: a kind opts in; generic code asks, never names a kind.

  /**
   * How evidence names the pin and the source of an artifact. Without it the pin is the pinned
   * root's digest (pinnedRoot) and the source is blank; a kind whose lock pins something else
   * (git: a commit) must say so, or lock refuses to write evidence with an empty pin.
   */
  describe?(artifact: Locked): { pin: string; source: string };
  /** the served repositories this import's artifacts land in; default: `repository` alone */
  repositories?(artifacts: Locked[]): Record<string, RepositoryFormat>;
  /** options `airgap import` passes to place/finalize (ImportContext.options) */
  importOptions?: ImportOption[];
  /**
   * After serve: fetch the artifact with a real client and check it is what the lock pins; the
   * line returned says what was proven. The demo runs it for every artifact that has one.
   */
  probe?(artifact: Locked, ctx: ProbeContext): Promise<string>;
}
