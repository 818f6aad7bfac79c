import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { run } from '../../src/host/exec.ts';

/** A real .deb (dpkg-deb) with the given control fields, built under `dir`/build, written to `out`/<name>/. */
export async function buildDeb(dir: string, out: string, name: string, version: string, arch: string, depends?: string): Promise<void> {
  const root = join(dir, 'build', `${name}-${version.replace(/:/g, '%3a')}-${arch}`);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr/share/doc', name), { recursive: true });
  await writeFile(join(root, 'usr/share/doc', name, 'README'), `${name} ${version}\n`);
  await writeFile(join(root, 'DEBIAN/control'), [`Package: ${name}`, `Version: ${version}`, `Architecture: ${arch}`, 'Maintainer: airgap tests <t@t>', ...(depends ? [`Depends: ${depends}`] : []), 'Priority: optional', 'Section: misc', `Description: ${name} for the tests`, ''].join('\n'));
  await mkdir(join(out, name), { recursive: true });
  await run('dpkg-deb', ['--root-owner-group', '--build', root, join(out, name, `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`)]);
}

/**
 * Index a pool of .debs the way a Debian archive is laid out (apt-ftparchive), one suite, component
 * main, amd64 (with the archive's override file of priorities and sections, if given), and sign the Release as InRelease with `key` (openpgp.js): the tests' upstream.
 * `pool` indexes only a part of the pool (several suites of one archive, each with its own .debs);
 * `release` adds Release fields (`NotAutomatic: yes`, as Debian's backports have).
 */
export async function indexAndSign(repo: string, suite: string, key: openpgp.PrivateKey, override?: string, o: { pool?: string; release?: Record<string, string> } = {}): Promise<void> {
  const dists = join(repo, 'dists', suite, 'main/binary-amd64');
  await mkdir(dists, { recursive: true });
  const packages = (await run('apt-ftparchive', ['packages', o.pool ?? 'pool', ...(override ? [override] : [])], { cwd: repo })).stdout;
  await writeFile(join(dists, 'Packages'), packages);
  await writeFile(join(dists, 'Packages.gz'), gzipSync(packages));
  const release = (await run('apt-ftparchive', [
    '-o', `APT::FTPArchive::Release::Suite=${suite}`, '-o', `APT::FTPArchive::Release::Codename=${suite}`,
    '-o', 'APT::FTPArchive::Release::Components=main', '-o', 'APT::FTPArchive::Release::Architectures=amd64',
    ...Object.entries(o.release ?? {}).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]), 'release', '.',
  ], { cwd: join(repo, 'dists', suite) })).stdout;
  await writeFile(join(repo, 'dists', suite, 'Release'), release);
  await writeFile(join(repo, 'dists', suite, 'InRelease'), await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: release }), signingKeys: key }));
}
