import { mkdtemp, rm, mkdir, stat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kind } from '../kind.ts';
import { gitEntry, gitLocked, type GitEntry, type GitLocked } from './schema.ts';
import { git } from '../../host/git.ts';
import { mapLimit } from '../../util/concurrency.ts';
import { AirgapError, redactUrl } from '../../util/errors.ts';
import { withRetry } from '../../util/retry.ts';
import { createReadStream } from 'node:fs';
import { underRoot } from '../../util/under-root.ts';
import { probeGit } from './probe.ts';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Resolve a ref on the remote to a commit, preferring the peeled commit of an annotated tag. */
async function resolve(entry: GitEntry): Promise<{ refName: string; commit: string }> {
  if (COMMIT.test(entry.ref)) return { refName: `refs/heads/pinned-${entry.ref.slice(0, 12)}`, commit: entry.ref };
  const { stdout } = await withRetry(() => git(['ls-remote', '--', entry.url, entry.ref, `${entry.ref}^{}`]));
  const refs = new Map(stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [sha, ref] = l.split('\t');
    return [ref, sha] as const;
  }));
  const wanted = entry.ref.startsWith('refs/') ? [entry.ref] : [`refs/heads/${entry.ref}`, `refs/tags/${entry.ref}`];
  for (const ref of wanted) {
    const commit = refs.get(`${ref}^{}`) ?? refs.get(ref);
    if (commit) return { refName: ref, commit };
  }
  throw new AirgapError(`git ${entry.name}: ref "${entry.ref}" not found at ${entry.url}`, { hint: 'check the branch or tag name (git ls-remote)' });
}

// The bundle's bytes depend on the ref and the commit only (history is content-addressed), not on
// where it was fetched from: a moved mirror URL must not mean a new fetch.
const refKey = (a: GitLocked) => `git:${a.refName}@${a.commit}`;

export const gitKind: Kind<GitEntry, GitLocked> = {
  name: 'git',
  repository: { name: 'git', format: 'git' },
  entry: gitEntry,
  locked: gitLocked,

  async lock(entries, ctx) {
    return mapLimit(entries, 4, async (entry) => {
      ctx.log(`lock: resolving ${entry.url} ${entry.ref}`);
      const { refName, commit } = await resolve(entry);
      return gitLocked.parse({ kind: 'git', id: `git:${entry.name}`, name: entry.name, version: entry.ref, url: entry.url, ref: entry.ref, refName, commit });
    });
  },

  /** The pinned commit and its history travel as one `git bundle` holding one ref. */
  async mirror(a, ctx) {
    const known = await gitKind.blobs(a, ctx.store);
    if (known) return known;
    await mkdir(ctx.store.tmpDir, { recursive: true });
    const work = await mkdtemp(join(ctx.store.tmpDir, `.tmp-${process.pid}-git-`));
    try {
      await git(['init', '--bare', '-q', work]);
      const fetch = (what: string) => withRetry(() => git(['-C', work, 'fetch', '-q', '--no-tags', '--', a.url, what]),
        { onRetry: (n, why) => ctx.log(`mirror: ${a.id}: retry ${n}: ${why}`) });
      await fetch(`+${a.refName}:refs/airgap/fetched`).catch(() => undefined);
      const has = () => git(['-C', work, 'cat-file', '-e', `${a.commit}^{commit}`]).then(() => true, () => false);
      // The ref may have moved since lock; the pinned commit is what we carry, fetched by id if need be.
      if (!(await has())) await fetch(a.commit).catch(() => undefined);
      if (!(await has())) {
        throw new AirgapError(`git ${a.name}: pinned commit ${a.commit} is not reachable at ${a.url}`, { hint: 'the history was rewritten upstream; re-lock to pin the new commit' });
      }
      await git(['-C', work, 'update-ref', a.refName, a.commit]);
      const file = join(work, 'carry.bundle');
      await git(['-C', work, '-c', 'pack.threads=1', 'bundle', 'create', '-q', file, a.refName]);
      const blob = await ctx.store.ingest(createReadStream(file, { highWaterMark: 1 << 20 }), { what: a.id, onBytes: ctx.onBytes });
      await ctx.store.putRef(refKey(a), [blob]);
      return [blob];
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },

  blobs: (a, store) => store.completeRef(refKey(a)),
  // The lock pins the commit, not the bundle file's bytes: fillRepo checks the commit after fsck.
  pinnedRoot: () => undefined,
  describe: (a) => ({ pin: a.commit, source: redactUrl(a.url) }),
  probe: probeGit,

  /** Into `git/<name>.git`. */
  async place(a, blobs, ctx) {
    const repo = underRoot(ctx.repoRoot, 'git', `${a.name}.git`);
    const exists = await stat(join(repo, 'HEAD')).then(() => true, () => false);
    // A new repository is filled in the tmp dir and renamed in: a clone never sees it half made.
    const work = exists ? repo : underRoot(ctx.tmpDir, `.tmp-${process.pid}-git-${a.name}`);
    if (!exists) {
      await rm(work, { recursive: true, force: true });
      await mkdir(ctx.tmpDir, { recursive: true });
      await git(['init', '--bare', '-q', work]);
    }
    await fillRepo(work, a, ctx.store.blobPath(blobs[0].digest));
    if (!exists) {
      await mkdir(join(ctx.repoRoot, 'git'), { recursive: true });
      await rename(work, repo);
    }
    return [`git/${a.name}.git`];
  },
};

/** Objects checked by fsck on the way in; the ref must land on the pinned commit. */
async function fillRepo(repo: string, a: GitLocked, bundle: string) {
    await git(['-C', repo, 'bundle', 'verify', '-q', bundle]);
    await git(['-C', repo, '-c', 'fetch.fsckObjects=true', 'fetch', '-q', '--no-tags', bundle, `+${a.refName}:${a.refName}`]);
    const { stdout } = await git(['-C', repo, 'rev-parse', `${a.refName}^{commit}`]);
    if (stdout.trim() !== a.commit) throw new AirgapError(`git ${a.name}: ${a.refName} is ${stdout.trim()} after import, lock says ${a.commit}`);
    // A bundle fetch does not set HEAD; without it clones fail with "remote HEAD refers to nonexistent ref".
    if (a.refName.startsWith('refs/heads/')) await git(['-C', repo, 'symbolic-ref', 'HEAD', a.refName]);
    else await git(['-C', repo, 'update-ref', '--no-deref', 'HEAD', a.commit]);
    await git(['-C', repo, 'update-server-info']);
}
