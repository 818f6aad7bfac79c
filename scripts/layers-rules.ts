/**
 * The layer rules of src/ (adr/0023), as data: floors from the bottom up. A file may import from
 * its own floor or any floor below, never above. A floor lists top-level directories of src/, or
 * single files when a file is a format that lives beside the code that uses it (longest match
 * wins). Derived from the code as it is (`node scripts/layers.ts --graph` prints the directory
 * graph); a new directory under src/ must be put on a floor before its first import is allowed.
 */
export const FLOORS: { name: string; members: string[] }[] = [
  { name: 'util', members: ['util'] },
  { name: 'platform', members: ['host', 'store', 'tar', 'trust', 'net', 'sandbox'] },
  { name: 'protocols', members: ['apt', 'oci', 'pypi', 'repository'] },
  // generators plug in like kinds (lock expands them into kinds' entries); kolla's tables feed its generator
  { name: 'kinds', members: ['kinds', 'generators', 'kolla'] },
  // the formats the steps exchange: the schemas are assembled from the kinds, so they sit above them
  { name: 'formats', members: ['evidence', 'manifest/version.ts', 'lock/schema.ts', 'lock/read.ts', 'bundle/toc.ts'] },
  { name: 'declare', members: ['manifest'] },
  { name: 'lock', members: ['lock'] },
  { name: 'mirror', members: ['mirror'] },
  { name: 'bundle', members: ['bundle'] },
  { name: 'verify', members: ['verify'] },
  { name: 'import', members: ['import'] },
  { name: 'serve', members: ['serve'] },
  { name: 'build', members: ['build', 'preflight'] },
  { name: 'publish', members: ['publish'] },
  // what a person runs: the verbs, the steps with their evidence, the demo, the runbook runner
  { name: 'cli', members: ['pipeline', 'demo', 'runner', 'cli'] },
];

/**
 * Today's upward imports, each allowed explicitly with why (a prefix of the importing file, a
 * prefix of the imported one). Remove an entry when its import goes; the check fails on an entry
 * that no longer matches anything, so the list cannot go stale.
 */
export const EXCEPTIONS: { from: string; to: string; why: string }[] = [
  { from: 'src/lock/schema.ts', to: 'src/build/schema.ts', why: 'the lock carries the build: section; its schema lives with the builders until src/build/ is split (issue 17, a later step)' },
  { from: 'src/manifest/schema.ts', to: 'src/build/schema.ts', why: 'factory.yaml declares the build: section; same schema, same later move' },
  { from: 'src/kolla/plan.ts', to: 'src/lock/schema.ts', why: 'Kolla\'s build plan reads the lock (types only); plan.ts belongs with the Kolla builder, moved when src/build/ is split' },
];
