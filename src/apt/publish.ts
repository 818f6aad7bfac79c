import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A stanza with its Filename set to where the gap's pool keeps the file. */
export function withFilename(control: string, filename: string): string {
  return control.replace(/^Filename:.*$/mi, `Filename: ${filename}`);
}

/** Packages: stanzas sorted by name then version text, one blank line apart. */
export function packagesText(stanzas: string[]): string {
  const key = (s: string) => `${/^Package:\s*(\S+)/mi.exec(s)?.[1]}\u0000${/^Version:\s*(\S+)/mi.exec(s)?.[1]}`;
  return [...stanzas].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((s) => s.trim() + '\n').join('\n');
}

/**
 * Release for the gap's repository: what Nexus writes (Suite, Codename, Components, Architectures,
 * Date) and SHA256 only, so apt never looks for a stronger hash we did not write; no Valid-Until,
 * so a repository that sits offline for months does not expire.
 */
export function releaseText(o: { suite: string; components: string[]; architectures: string[]; date: Date; files: Map<string, Buffer> }): string {
  const lines = [
    'Origin: airgap', 'Label: airgap', `Suite: ${o.suite}`, `Codename: ${o.suite}`, `Date: ${o.date.toUTCString()}`,
    `Architectures: ${o.architectures.join(' ')}`, `Components: ${o.components.join(' ')}`, 'SHA256:',
    ...[...o.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, bytes]) => ` ${sha(bytes)} ${String(bytes.length).padStart(8)} ${path}`),
  ];
  return lines.join('\n') + '\n';
}

/** InRelease (clearsigned) and Release.gpg (detached, armoured), as apt and debootstrap read them. */
export async function signRelease(text: string, key: openpgp.PrivateKey): Promise<{ inRelease: string; releaseGpg: string }> {
  const inRelease = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: key });
  const releaseGpg = await openpgp.sign({ message: await openpgp.createMessage({ text }), signingKeys: key, detached: true, format: 'armored' });
  return { inRelease, releaseGpg: releaseGpg as string };
}
