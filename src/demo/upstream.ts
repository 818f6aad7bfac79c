import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeWheel } from '../pypi/make-wheel.ts';
import { simpleIndex, type IndexFile } from '../pypi/simple.ts';
import { sha256 } from '../util/hash.ts';
import { gzipSync } from 'node:zlib';
import { git } from '../host/git.ts';
import { fileHeader, padding, END_OF_ARCHIVE } from '../tar/header.ts';
import { Repository } from '../repository/layout.ts';
import { writeImage, writeIndex } from '../oci/image.ts';
import * as openpgp from 'openpgp';
import { makeDebRepository } from './debs.ts';
import { tagRef } from '../oci/layout.ts';

/** Deterministic bytes: the same demo gives the same pins run after run. */
function bytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function tarGz(files: Record<string, Buffer>, mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of Object.entries(files)) parts.push(fileHeader(name, data.length, mtime), data, Buffer.alloc(padding(data.length)));
  parts.push(END_OF_ARCHIVE);
  return gzipSync(Buffer.concat(parts), { level: 6 });
}

const EPOCH = 1_700_000_000;

/**
 * A stand-in for the internet, laid out as a repository that `airgap serve` can serve on loopback:
 * two source tarballs, a binary per arch, and a git repository with history and a tag.
 */
export async function makeUpstream(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  const raw = join(root, 'raw');
  await mkdir(join(raw, 'tarballs'), { recursive: true });
  await mkdir(join(raw, 'bin'), { recursive: true });
  await writeFile(join(raw, 'tarballs', 'hello-1.0.tar.gz'), tarGz({
    'hello-1.0/README': Buffer.from('hello 1.0: a source tarball carried across the air gap\n'),
    'hello-1.0/data.bin': bytes('hello', 180_000),
  }, EPOCH));
  await writeFile(join(raw, 'tarballs', 'world-2.1.tar.gz'), tarGz({
    'world-2.1/README': Buffer.from('world 2.1\n'),
    'world-2.1/data.bin': bytes('world', 120_000),
  }, EPOCH));
  for (const arch of ['amd64', 'arm64']) {
    const p = join(raw, 'bin', `tool-${arch}`);
    await writeFile(p, `#!/bin/sh\necho "tool 1.0 for ${arch}"\n`);
    await chmod(p, 0o755);
  }

  const work = join(root, 'work');
  const env = { GIT_AUTHOR_DATE: `@${EPOCH} +0000`, GIT_COMMITTER_DATE: `@${EPOCH} +0000` };
  await git(['init', '-q', '-b', 'main', work]);
  await writeFile(join(work, 'README.md'), '# demo-app\n\nA repository carried across the air gap as a git bundle.\n');
  await git(['-C', work, 'add', '.']);
  await git(['-C', work, 'commit', '-q', '-m', 'first commit'], { env });
  await git(['-C', work, 'tag', '-a', 'v1.0', '-m', 'v1.0'], { env });
  await writeFile(join(work, 'app.sh'), '#!/bin/sh\necho demo-app\n');
  await git(['-C', work, 'add', '.']);
  await git(['-C', work, 'commit', '-q', '-m', 'add app.sh'], { env });
  await mkdir(join(root, 'git'), { recursive: true });
  await git(['clone', '-q', '--bare', work, join(root, 'git', 'demo-app.git')]);
  await rm(work, { recursive: true, force: true });

  // Container images, served at /v2/: one single-platform image, one two-platform index.
  const repo = new Repository(root);
  const created = new Date(EPOCH * 1000).toISOString();
  const hello = await writeImage(repo.store, { architecture: 'amd64', created, files: { 'hello.sh': '#!/bin/sh\necho hello from the air gap\n' }, cmd: ['/hello.sh'] });
  await tagRef(root, 'demo/hello:1.0', hello);
  const multi = await writeIndex(repo.store, [
    await writeImage(repo.store, { architecture: 'amd64', created, files: { 'arch': 'amd64\n' } }),
    await writeImage(repo.store, { architecture: 'arm64', variant: 'v8', created, files: { 'arch': 'arm64\n' } }),
  ]);
  await tagRef(root, 'demo/multi:1.0', multi);

  // Python packages: an index built the way import lays ours down (static PEP 503/691 files).
  const index: IndexFile[] = [];
  await mkdir(join(root, 'pypi', 'packages'), { recursive: true });
  for (const w of [
    makeWheel({ name: 'demo-greeting', version: '1.0', requires: ['demo-words>=1.0'], requiresPython: '>=3.8' }),
    makeWheel({ name: 'demo-words', version: '1.0' }),
    makeWheel({ name: 'demo-words', version: '2.0' }),
  ]) {
    await writeFile(join(root, 'pypi', 'packages', w.filename), w.bytes);
    const [name, version] = w.filename.split('-');
    index.push({ project: name, version, filename: w.filename, sha256: sha256(w.bytes), size: w.bytes.length });
  }
  for (const [rel, text] of simpleIndex(index)) {
    await mkdir(dirname(join(root, 'pypi', rel)), { recursive: true });
    await writeFile(join(root, 'pypi', rel), text);
  }

  // Debian packages: a signed repository with dependencies between its packages.
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'demo upstream archive' }], format: 'object' });
  await makeDebRepository(join(root, 'debian-upstream'), 'bookworm', [
    { name: 'demo-tool', version: '1.0-1', arch: 'amd64', depends: 'demo-lib (>= 1.0) | demo-lib-compat, demo-data' },
    { name: 'demo-lib', version: '1.0-1', arch: 'amd64' },
    { name: 'demo-lib-compat', version: '0.9-1', arch: 'amd64' },
    { name: 'demo-data', version: '1.0-1', arch: 'all' },
  ], privateKey);
  await writeFile(join(root, 'debian-upstream', 'archive-key.asc'), privateKey.toPublic().armor());
  await repo.addRepositories({ raw: 'raw', git: 'git', pypi: 'pypi', 'debian-upstream': 'apt' });
}
