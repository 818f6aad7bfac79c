import { z } from 'zod';
import { sandboxRunReport } from '../sandbox/report.ts';

/**
 * Evidence: what each step proves, as JSON in results/<version>/<step>.json. These schemas are the
 * contract between the CLI that writes evidence and the site that renders it; the site build
 * fails on a file that does not match.
 */
const sha = z.string().regex(/^[0-9a-f]{64}$/);
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const at = z.iso.datetime();
const base = { version: z.string(), at, tool: z.string() };

export const lockEvidence = z.strictObject({
  step: z.literal('lock'),
  ...base,
  lockSha256: sha,
  manifestSha256: sha,
  created: at,
  artifacts: z.array(z.strictObject({
    id: z.string(), kind: z.string(), name: z.string(), version: z.string(),
    /** the pin: a sha256, a commit, a digest (never blank: a kind that names none fails lock) */
    pin: z.string().min(1),
    source: z.string(),
  })),
});

export const mirrorEvidence = z.strictObject({
  step: z.literal('mirror'),
  ...base,
  lockSha256: sha,
  durationMs: z.number().nonnegative(),
  bytesFetched: z.number().int().nonnegative(),
  artifacts: z.array(z.strictObject({ id: z.string(), fetched: z.boolean(), blobs: z.array(z.strictObject({ digest, size: z.number().int() })) })),
});

const signer = z.strictObject({ keyId: z.string().regex(/^[0-9A-F]{16}$/), fingerprint: digest });

export const bundleEvidence = z.strictObject({
  step: z.literal('bundle'),
  ...base,
  lockSha256: sha,
  tocSha256: sha,
  signer,
  volumeSize: z.number().int().positive(),
  volumes: z.array(z.strictObject({ name: z.string(), sha256: sha, size: z.number().int(), blobs: z.number().int() })),
  /** which volume carries each artifact (its first blob), for the traceability chain */
  artifacts: z.array(z.strictObject({ id: z.string(), kind: z.string(), digest, size: z.number().int(), volume: z.string() })),
  bytes: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

const problem = z.strictObject({ volume: z.string().optional(), artifact: z.string().optional(), message: z.string() });

export const verifyEvidence = z.strictObject({
  step: z.literal('verify'),
  ...base,
  ok: z.boolean(),
  tocSha256: sha.optional(),
  lockSha256: sha.optional(),
  key: signer.partial().optional(),
  volumes: z.array(z.strictObject({ name: z.string(), ok: z.boolean(), size: z.number().int().optional(), sha256: sha.optional() })),
  problems: z.array(problem),
  durationMs: z.number().nonnegative(),
});

export const importEvidence = z.strictObject({
  step: z.literal('import'),
  ...base,
  tocSha256: sha,
  lockSha256: sha,
  repository: z.string(),
  blobs: z.strictObject({ imported: z.number().int(), present: z.number().int(), rechecked: z.number().int() }),
  artifacts: z.array(z.strictObject({ id: z.string(), kind: z.string(), digest, placed: z.array(z.string()) })),
  journal: z.string(),
  durationMs: z.number().nonnegative(),
});

/** a build input or output: content by sha256, or a git commit by its object id (git:<hex>) */
const named = z.strictObject({ name: z.string(), digest: z.union([digest, z.string().regex(/^git:[0-9a-f]{40}([0-9a-f]{24})?$/)]), size: z.number().int().nonnegative().optional(), ref: z.string().optional() });

/** One `airgap build`: what went in and came out, by digest, and where its log is. */
export const buildEntry = z.strictObject({
  builder: z.string(),
  at,
  ok: z.boolean(),
  error: z.string().optional(),
  durationMs: z.number().nonnegative(),
  lockSha256: sha,
  inputs: z.array(named),
  outputs: z.array(named),
  /** relative to results/<version>/ */
  log: z.strictObject({ file: z.string(), sha256: sha }),
  egressAttempts: z.number().int().nonnegative(),
  allowEgressAttempts: z.boolean(),
  /** disk images: QEMU (TCG) boot with a NoCloud seed; seconds of guest uptime at cloud-init's marker */
  bootTest: z.strictObject({ markerSeen: z.boolean(), bootSeconds: z.number().nonnegative().optional() }).optional(),
});

export const buildEvidence = z.strictObject({
  step: z.literal('build'),
  ...base,
  /** every build of this release, oldest first */
  builds: z.array(buildEntry),
});

/** The sandbox reports of every build of this release: setup, what was allowed, every attempt to leave. */
export const airgapEvidence = z.strictObject({
  step: z.literal('airgap'),
  ...base,
  attempts: z.number().int().nonnegative(),
  runs: z.array(sandboxRunReport.extend({ builder: z.string(), at, allowEgressAttempts: z.boolean() })),
});

/** Images published to Glance: ours by sha256, Glance's own checksums read back and compared. */
export const publishEvidence = z.strictObject({
  step: z.literal('publish'),
  ...base,
  images: z.array(z.strictObject({
    target: z.literal('glance'), at, endpoint: z.string(), auth: z.string(),
    id: z.string(), name: z.string(), file: z.string(), size: z.number().int().nonnegative(), sha256: sha,
    checksum: z.string().regex(/^[0-9a-f]{32}$/), osHashAlgo: z.literal('sha512'), osHashValue: z.string().regex(/^[0-9a-f]{128}$/),
    properties: z.record(z.string(), z.string()),
  })),
});

export const evidenceSchemas = {
  lock: lockEvidence,
  mirror: mirrorEvidence,
  bundle: bundleEvidence,
  verify: verifyEvidence,
  import: importEvidence,
  build: buildEvidence,
  airgap: airgapEvidence,
  publish: publishEvidence,
} as const;

export type EvidenceStep = keyof typeof evidenceSchemas;
export type Evidence<S extends EvidenceStep> = z.infer<(typeof evidenceSchemas)[S]>;
export type Problem = z.infer<typeof problem>;
export type BuildEntry = z.infer<typeof buildEntry>;
