import { expect } from 'vitest';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { onCleanup } from './cleanup.ts';
import { airgap } from './workspace.ts';
import { serveStatic } from './static-server.ts';
import { indexAndSign } from './apt-upstream.ts';
import { generateKeyPair } from '../../src/trust/keys.ts';
import { DEB_SETS, debsDir, type DebSet } from '../setup/minbase-debs.ts';

/**
 * The demo's path with real Debian packages: a set of test/setup/minbase-debs.ts (minbase) as an
 * upstream signed with a throwaway key on loopback, then lock → mirror → bundle → verify → import
 * into `<dir>/repo` as apt repository `debian`, suite `bookworm`. `extra` lines go into factory.yaml.
 */
export async function minbaseRelease(dir: string, extra: string[] = [], set: DebSet = 'minbase'): Promise<{ release: string; repo: string; bundle: string; keys: { secretPath: string; publicPath: string } }> {
  const up = await debianUpstream(dir, set);
  const release = join(dir, 'release');
  await mkdir(release, { recursive: true });
  await writeFile(join(release, 'upstream.asc'), up.publicKey);
  await writeFile(join(release, 'factory.yaml'), [
    'version: 1.0.0', 'apt:',
    '  - name: debian',
    `    url: "${up.url}"`,
    '    suites: [bookworm]',
    '    priorities: [required]',
    `    packages: [${DEB_SETS[set].join(', ')}]`,
    '    keyring: upstream.asc',
    '    as: { repository: debian, suite: bookworm }',
    ...extra,
  ].join('\n') + '\n');
  return { release, ...(await carry(dir, release)) };
}

/** A set of test/setup/minbase-debs.ts as a Debian repository (suite bookworm) on loopback, signed with a throwaway key. */
export async function debianUpstream(dir: string, set: DebSet): Promise<{ url: string; publicKey: string }> {
  const debs = debsDir(set);
  expect(existsSync(join(debs, 'complete')), `no Debian packages in ${debs}: the global set-up downloads them with apt-get (Debian hosts only)`).toBe(true);
  const pool = join(dir, 'upstream/pool/main');
  await mkdir(pool, { recursive: true });
  for (const f of await readdir(debs)) if (f.endsWith('.deb')) await copyFile(join(debs, f), join(pool, f));
  const up = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'throwaway upstream' }], format: 'object' });
  await indexAndSign(join(dir, 'upstream'), 'bookworm', up.privateKey, join(debs, 'override'));
  const http = await serveStatic(join(dir, 'upstream'));
  onCleanup(() => http.close());
  return { url: http.url, publicKey: up.publicKey.armor() };
}

/** Env A to Env B for a release: keys, lock → mirror → bundle → verify → import into `<dir>/repo` (apt signed by the factory's OpenPGP key). */
export async function carry(dir: string, release: string): Promise<{ repo: string; bundle: string; keys: { secretPath: string; publicPath: string } }> {
  const keys = await generateKeyPair(join(dir, 'keys'));
  expect((await airgap(['keygen', '--openpgp', '--out', join(dir, 'keys')])).code).toBe(0);
  const bundle = join(dir, 'bundle');
  for (const args of [
    ['lock', release], ['mirror', release, '--store', join(dir, 'store')],
    ['bundle', release, '--store', join(dir, 'store'), '--out', bundle, '--key', keys.secretPath],
    ['verify', bundle, '--trust', keys.publicPath],
    ['import', bundle, '--trust', keys.publicPath, '--to', join(dir, 'repo'), '--apt-key', join(dir, 'keys/airgap-openpgp.key')],
  ]) {
    const r = await airgap([...args, '--results', join(dir, 'results')]);
    expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
  }
  return { repo: join(dir, 'repo'), bundle, keys };
}
