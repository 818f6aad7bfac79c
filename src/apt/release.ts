import * as openpgp from 'openpgp';
import { paragraphs } from './deb822.ts';
import { AirgapError, FormatError } from '../util/errors.ts';

export interface ReleaseFile { sha256: string; size: number; path: string }

export interface Release {
  suite?: string;
  codename?: string;
  date?: Date;
  validUntil?: Date;
  architectures: string[];
  components: string[];
  acquireByHash: boolean;
  /** `NotAutomatic: yes` / `ButAutomaticUpgrades: yes`: apt's default pin priority of the suite (1 or 100, see candidate.ts) */
  notAutomatic: boolean;
  butAutomaticUpgrades: boolean;
  /** index files by path relative to dists/<suite>/ */
  files: Map<string, ReleaseFile>;
}

export function parseRelease(text: string, file = 'Release'): Release {
  const p = paragraphs(text, file).next().value;
  if (!p) throw new FormatError(file, undefined, 'empty Release file');
  const date = (f: string) => (p.get(f) ? new Date(p.get(f)!) : undefined);
  const files = new Map<string, ReleaseFile>();
  for (const line of (p.get('sha256') ?? '').split('\n')) {
    const m = /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) files.set(m[3], { sha256: m[1], size: Number(m[2]), path: m[3] });
  }
  return {
    suite: p.get('suite'),
    codename: p.get('codename'),
    date: date('date'),
    validUntil: date('valid-until'),
    architectures: (p.get('architectures') ?? '').split(/\s+/).filter(Boolean),
    components: (p.get('components') ?? '').split(/\s+/).filter(Boolean),
    acquireByHash: p.get('acquire-by-hash') === 'yes',
    notAutomatic: p.get('notautomatic') === 'yes',
    butAutomaticUpgrades: p.get('butautomaticupgrades') === 'yes',
    files,
  };
}

/** Keys from a keyring file as apt takes them: binary (.gpg) or ASCII-armoured (.asc). */
export async function readKeyring(bytes: Uint8Array): Promise<openpgp.Key[]> {
  const text = Buffer.from(bytes).toString('latin1');
  return text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
    ? openpgp.readKeys({ armoredKeys: text })
    : openpgp.readKeys({ binaryKeys: bytes });
}

/**
 * An upstream InRelease checked before anything in it is believed: a valid signature by a key of
 * the given keyring (openpgp.js, no gpg binary), then Valid-Until unless `allowExpired`. Returns
 * the signed text parsed; `where` names the file in every error.
 */
export async function verifyInRelease(inRelease: string, keyring: openpgp.Key[], where: string, o: { now?: Date; allowExpired?: boolean; suite?: string } = {}): Promise<Release> {
  let signed: string;
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: inRelease });
    const r = await openpgp.verify({ message, verificationKeys: keyring, expectSigned: true });
    signed = r.data;
  } catch (err) {
    const why = (err as Error).message.replace(/^Error verifying signed message: /, '');
    throw new AirgapError(`${where}: signature not valid for the given keyring: ${why}`, { hint: 'check the source\'s keyring (the key that signs this repository), or that the file was not altered' });
  }
  const release = parseRelease(signed, where);
  // A validly signed Release of another suite (an old one, a different one) must not stand in.
  if (o.suite && release.suite !== o.suite && release.codename !== o.suite) {
    throw new AirgapError(`${where}: signed for suite ${release.suite ?? '?'} (codename ${release.codename ?? '?'}), not ${o.suite}`, { hint: 'the mirror serves the wrong suite at this path' });
  }
  const now = o.now ?? new Date();
  if (release.validUntil && release.validUntil < now && !o.allowExpired) {
    throw new AirgapError(`${where}: expired (Valid-Until ${release.validUntil.toISOString()})`, { hint: 'mirror a fresh copy, or set allowExpired on the source if an old snapshot is intended' });
  }
  return release;
}
