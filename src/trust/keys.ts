import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { AirgapError, UsageError } from '../util/errors.ts';

/**
 * Ed25519 keys for bundle signatures. The public key is written in minisign's format so that a
 * stock `minisign -V` checks our signatures; the secret key is PKCS#8 PEM (openssl reads it). The
 * 8-byte key id is derived from the public key, so it never needs storing. See adr/0003.
 */
export interface PublicKey {
  keyId: Buffer;
  raw: Buffer;
  key: KeyObject;
}

export const keyIdHex = (id: Buffer) => Buffer.from(id).reverse().toString('hex').toUpperCase();
export const fingerprint = (raw: Buffer) => `sha256:${createHash('sha256').update(raw).digest('hex')}`;

const rawPublic = (key: KeyObject) => Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');

function publicKey(raw: Buffer): PublicKey {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return { keyId: createHash('sha256').update(raw).digest().subarray(0, 8), raw, key };
}

export function formatPublicKey(pk: PublicKey): string {
  const body = Buffer.concat([Buffer.from('Ed'), pk.keyId, pk.raw]).toString('base64');
  return `untrusted comment: minisign public key ${keyIdHex(pk.keyId)}\n${body}\n`;
}

/** Reads a minisign .pub file (ours or one minisign -G wrote). */
export async function readPublicKey(path: string): Promise<PublicKey> {
  const text = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: cannot read trusted key: ${err.code ?? err.message}`);
  });
  const line = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('untrusted comment:'));
  const bytes = Buffer.from(line ?? '', 'base64');
  if (bytes.length !== 42 || bytes.subarray(0, 2).toString() !== 'Ed') {
    throw new UsageError(`${path}: not a minisign public key`, 'pass the .pub file written by `airgap keygen` or `minisign -G`');
  }
  const pk = publicKey(bytes.subarray(10));
  // minisign -G keys carry a random id; keep the file's id so its signatures match.
  return { ...pk, keyId: Buffer.from(bytes.subarray(2, 10)) };
}

export interface SecretKey {
  key: KeyObject;
  pub: PublicKey;
}

export async function readSecretKey(path: string): Promise<SecretKey> {
  const pem = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: cannot read signing key: ${err.code ?? err.message}`, 'make one with `airgap keygen --out DIR`');
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new UsageError(`${path}: not a PEM private key`, 'make one with `airgap keygen --out DIR`');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`${path}: an ${key.asymmetricKeyType} key; bundles are signed with ed25519`);
  return { key, pub: publicKey(rawPublic(createPublicKey(key))) };
}

/** `airgap keygen`: writes <name>.key (0600) and <name>.pub; never overwrites either. */
export async function generateKeyPair(dir: string, name = 'airgap'): Promise<{ secretPath: string; publicPath: string; pub: PublicKey }> {
  const secretPath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  for (const p of [secretPath, publicPath]) {
    if (await stat(p).then(() => true, () => false)) throw new AirgapError(`${p} exists; refusing to overwrite a key`, { exitCode: 2, hint: 'choose another --out or --name, or remove the old key on purpose' });
  }
  const { privateKey, publicKey: pubKey } = generateKeyPairSync('ed25519');
  const pub = publicKey(rawPublic(pubKey));
  await writeFileAtomic(secretPath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  await writeFileAtomic(publicPath, formatPublicKey(pub));
  return { secretPath, publicPath, pub };
}
