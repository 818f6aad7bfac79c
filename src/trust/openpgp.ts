import * as openpgp from 'openpgp';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { AirgapError, UsageError } from '../util/errors.ts';

/**
 * The factory's OpenPGP key, for what the Debian world checks with gpg: the apt repository inside
 * the gap (InRelease, Release.gpg). EdDSA on ed25519 (v4, as gpg 2.2 reads it), no passphrase (it is
 * kept like the bundle key: mode 0600, offline).
 */
export async function generateOpenpgpKey(dir: string, name = 'airgap'): Promise<{ secretPath: string; publicPath: string; fingerprint: string }> {
  const secretPath = join(dir, `${name}-openpgp.key`);
  const publicPath = join(dir, `${name}-openpgp.asc`);
  for (const p of [secretPath, publicPath]) {
    if (await stat(p).then(() => true, () => false)) throw new AirgapError(`${p} exists; refusing to overwrite a key`, { exitCode: 2, hint: 'choose another --out or --name' });
  }
  // curve25519Legacy: EdDSA as gpg 2.2 (bookworm's gpgv, what apt runs) knows it; openpgp.js 6's
  // 'curve25519' is RFC 9580's Ed25519, which that gpgv rejects (ERRSIG).
  const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'airgap repository signing key', email: `${name}@airgap.invalid` }], format: 'armored' });
  await writeFileAtomic(secretPath, privateKey, 0o600);
  await writeFileAtomic(publicPath, publicKey);
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { secretPath, publicPath, fingerprint: key.getFingerprint().toUpperCase() };
}

export async function readOpenpgpSecretKey(path: string): Promise<openpgp.PrivateKey> {
  const text = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: cannot read the OpenPGP key: ${err.code ?? err.message}`, 'make one with `airgap keygen --openpgp`');
  });
  try {
    return await openpgp.readPrivateKey({ armoredKey: text });
  } catch {
    throw new UsageError(`${path}: not an armoured OpenPGP private key`, 'make one with `airgap keygen --openpgp`');
  }
}
