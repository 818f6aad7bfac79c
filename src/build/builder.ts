import type { Lock } from '../lock/schema.ts';
import type { BuildEntry } from '../evidence/schemas.ts';
import type { SandboxRunReport } from '../sandbox/report.ts';
import type { Credentials } from '../oci/credentials.ts';

export type Named = BuildEntry['inputs'][number];

/** What a builder gets: the lock it builds from, where things are, and the sandbox to run in. */
export interface BuildContext {
  lock: Lock;
  lockSha256: string;
  /** the directory the lock was read from (element paths are relative to it) */
  releaseDir: string;
  /** what the command line says instead of the lock's build section */
  overrides: { elements?: string[]; name?: string };
  /** the repository server inside the gap (apt, raw, pypi, git and the OCI registry) */
  serverUrl: string;
  /** registry host[:port] images are pushed to (default: the server's own /v2/) */
  registry: string;
  /** what pushes to `registry` with, when it is the server on this host (its push token, ADR-0020) */
  registryCredentials?: Credentials;
  /** this build's own directory: outputs and scratch */
  outDir: string;
  /** SOURCE_DATE_EPOCH: the lock's timestamp, never the clock */
  epoch: number;
  log(m: string): void;
  /** run argv in the sandbox (output to the build log); resolves to its exit status */
  sandbox(argv: string[], o?: { env?: Record<string, string>; cwd?: string; label?: string }): Promise<number>;
  input(n: Named): void;
  output(n: Named): void;
  /** results that are neither inputs nor outputs (a boot test) */
  note(n: Pick<BuildEntry, 'bootTest'>): void;
}

/** A way to make something from the lock's artifacts; builders plug into `airgap build` here. */
export interface Builder {
  name: string;
  summary: string;
  /** extra arguments after the release directory, as `airgap build <name> <dir> -- …` gives them */
  usage?: string;
  run(ctx: BuildContext, args: string[]): Promise<void>;
}

export type { SandboxRunReport };
