import { createHash, sign, verify } from 'node:crypto';
import { keyIdHex, type PublicKey, type SecretKey } from './keys.ts';
import { parseMinisig } from './minisign-file.ts';

/**
 * minisign signatures, made and checked with node:crypto. Format (minisign 0.11):
 *   untrusted comment: <text>
 *   base64("ED" ‖ keyid[8] ‖ Ed25519(BLAKE2b-512(file)))
 *   trusted comment: <text>
 *   base64(Ed25519(signature[64] ‖ trusted comment))
 * Ed25519 is deterministic, so the same file, key and comment give the same bytes.
 */
export function signMinisign(data: Uint8Array, sk: SecretKey, trustedComment: string): string {
  const digest = createHash('blake2b512').update(data).digest();
  const sig = sign(null, digest, sk.key);
  const global = sign(null, Buffer.concat([sig, Buffer.from(trustedComment)]), sk.key);
  return [
    `untrusted comment: signature from airgap secret key ${keyIdHex(sk.pub.keyId)}`,
    Buffer.concat([Buffer.from('ED'), sk.pub.keyId, sig]).toString('base64'),
    `trusted comment: ${trustedComment}`,
    global.toString('base64'),
    '',
  ].join('\n');
}

export type SignatureCheck =
  | { ok: true; keyId: string; trustedComment: string }
  | { ok: false; reason: string; keyId?: string };

/**
 * Check a .minisig against trusted keys; the reason names the key when it is the wrong one. The
 * file is read as minisign reads it (minisign-file.ts): what `minisign -V` refuses, this refuses.
 */
export function verifyMinisign(data: Uint8Array, sigFile: Uint8Array | string, trusted: PublicKey[]): SignatureCheck {
  const parsed = parseMinisig(Buffer.from(sigFile as never));
  if ('error' in parsed) return { ok: false, reason: `signature file is not in minisign format: ${parsed.error}` };
  const { alg, keyId, sig, trustedComment, globalSig } = parsed;
  const id = keyIdHex(keyId);
  const pk = trusted.find((k) => k.keyId.equals(keyId));
  if (!pk) return { ok: false, keyId: id, reason: `signed by key ${id}, which is not trusted (trusted: ${trusted.map((k) => keyIdHex(k.keyId)).join(', ') || 'none'})` };
  const message = alg === 'ED' ? createHash('blake2b512').update(data).digest() : alg === 'Ed' ? data : undefined;
  if (!message) return { ok: false, keyId: id, reason: `unknown signature algorithm "${alg}"` };
  if (!verify(null, message, pk.key, sig)) return { ok: false, keyId: id, reason: `signature by key ${id} does not match the signed file` };
  if (!verify(null, Buffer.concat([sig, trustedComment]), pk.key, globalSig)) {
    return { ok: false, keyId: id, reason: `trusted comment signature by key ${id} is invalid` };
  }
  return { ok: true, keyId: id, trustedComment: trustedComment.toString('utf8') };
}
