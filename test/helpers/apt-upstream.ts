import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { run } from '../../src/host/exec.ts';

/**
 * Index a pool of .debs the way a Debian archive is laid out (apt-ftparchive), one suite, component
 * main, amd64 (with the archive's override file of priorities and sections, if given), and sign the Release as InRelease with `key` (openpgp.js): the tests' upstream.
 */
export async function indexAndSign(repo: string, suite: string, key: openpgp.PrivateKey, override?: string): Promise<void> {
  const dists = join(repo, 'dists', suite, 'main/binary-amd64');
  await mkdir(dists, { recursive: true });
  const packages = (await run('apt-ftparchive', ['packages', 'pool', ...(override ? [override] : [])], { cwd: repo })).stdout;
  await writeFile(join(dists, 'Packages'), packages);
  await writeFile(join(dists, 'Packages.gz'), gzipSync(packages));
  const release = (await run('apt-ftparchive', [
    '-o', `APT::FTPArchive::Release::Suite=${suite}`, '-o', `APT::FTPArchive::Release::Codename=${suite}`,
    '-o', 'APT::FTPArchive::Release::Components=main', '-o', 'APT::FTPArchive::Release::Architectures=amd64', 'release', '.',
  ], { cwd: join(repo, 'dists', suite) })).stdout;
  await writeFile(join(repo, 'dists', suite, 'Release'), release);
  await writeFile(join(repo, 'dists', suite, 'InRelease'), await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: release }), signingKeys: key }));
}
