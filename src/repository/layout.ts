import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../store/store.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { underRoot } from '../util/under-root.ts';

/**
 * The embedded repository that import fills and serve reads:
 *   blobs/sha256/<hex>     every imported blob, content-addressed
 *   raw/<path>             repository `raw` (hard links into blobs)
 *   git/<name>.git         repository `git` (bare repositories)
 *   oci-layout, index.json the root is an OCI image layout: `/v2/` serves it (names = repo:tag)
 *   pypi/simple, packages  repository `pypi`: static PEP 503/691 index and files (+ .metadata)
 *   .airgap/               journal, temporaries, repositories.json, releases/<version>/ (toc + lock)
 * Nothing outside .airgap/ is ever partial: every name appears by rename.
 */
export class Repository {
  readonly root: string;
  readonly store: Store;
  constructor(root: string) {
    this.root = root;
    this.store = new Store(root, { tmpDir: join(root, '.airgap', 'tmp') });
  }

  get meta() { return join(this.root, '.airgap'); }
  get journalPath() { return join(this.meta, 'journal.jsonl'); }
  get tmpDir() { return this.store.tmpDir; }
  /** `version` comes from a signed TOC: still kept under releases/ (adr/0019) */
  releaseDir(version: string) { return underRoot(join(this.meta, 'releases'), version); }
  get releasesDir() { return join(this.meta, 'releases'); }

  async repositories(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(join(this.meta, 'repositories.json'), 'utf8'));
    } catch {
      return {};
    }
  }

  async addRepositories(add: Record<string, string>): Promise<void> {
    await writeJsonAtomic(join(this.meta, 'repositories.json'), { ...(await this.repositories()), ...add });
  }
}
