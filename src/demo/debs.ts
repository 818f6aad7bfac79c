import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as openpgp from 'openpgp';
import { run } from '../host/exec.ts';
import { packagesText, releaseText, signRelease } from '../apt/publish.ts';

export interface DemoDeb { name: string; version: string; arch: string; depends?: string }

/**
 * A small signed Debian repository (dists/ + pool/) of generated packages, built with dpkg-deb:
 * the demo's stand-in for a Debian mirror.
 */
export async function makeDebRepository(root: string, suite: string, debs: DemoDeb[], key: openpgp.PrivateKey): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'airgap-debs-'));
  try {
    const stanzas: string[] = [];
    for (const d of debs) {
      const src = join(work, `${d.name}-${d.version}`);
      await mkdir(join(src, 'DEBIAN'), { recursive: true });
      await mkdir(join(src, 'usr/share/doc', d.name), { recursive: true });
      await writeFile(join(src, 'usr/share/doc', d.name, 'README'), `${d.name} ${d.version}: carried across the air gap\n`);
      const control = [`Package: ${d.name}`, `Version: ${d.version}`, `Architecture: ${d.arch}`, 'Maintainer: airgap demo <demo@airgap.invalid>',
        ...(d.depends ? [`Depends: ${d.depends}`] : []), 'Priority: optional', 'Section: misc', `Description: ${d.name}, a demo package`];
      await writeFile(join(src, 'DEBIAN/control'), control.join('\n') + '\n');
      const filename = `pool/main/${d.name[0]}/${d.name}/${d.name}_${d.version}_${d.arch}.deb`;
      await mkdir(join(root, 'pool/main', d.name[0], d.name), { recursive: true });
      await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', src, join(root, filename)], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      const bytes = await readFile(join(root, filename));
      stanzas.push([...control, `Filename: ${filename}`, `Size: ${bytes.length}`, `SHA256: ${createHash('sha256').update(bytes).digest('hex')}`].join('\n'));
    }
    const text = Buffer.from(packagesText(stanzas));
    const files = new Map([['main/binary-amd64/Packages', text], ['main/binary-amd64/Packages.gz', gzipSync(text)]]);
    const dists = join(root, 'dists', suite);
    await mkdir(join(dists, 'main/binary-amd64'), { recursive: true });
    for (const [p, b] of files) await writeFile(join(dists, p), b);
    const release = releaseText({ suite, components: ['main'], architectures: ['amd64'], date: new Date(1_700_000_000_000), files });
    await writeFile(join(dists, 'Release'), release);
    await writeFile(join(dists, 'InRelease'), (await signRelease(release, key)).inRelease);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
