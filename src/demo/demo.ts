import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { makeUpstream } from './upstream.ts';
import { startServer } from '../serve/server.ts';
import { generateKeyPair } from '../trust/keys.ts';
import { lockStep, mirrorStep, bundleStep, verifyStep, importStep, type StepOptions } from '../pipeline/steps.ts';
import { ensureTools } from '../host/tools.ts';
import { AirgapError } from '../util/errors.ts';
import { kindOf } from '../kinds/index.ts';
import { repositoryUrl } from '../repository/urls.ts';
import { generateOpenpgpKey } from '../trust/openpgp.ts';

export const DEMO_RELEASE = resolve(import.meta.dirname, '../../releases/demo');
export const DEMO_VOLUME_SIZE = 256 * 1024;

/**
 * The declaration and what it refers to (constraints), not the notes or an old lock; and the
 * generated upstream's archive key, which the declaration trusts as `upstream-keyring.asc`.
 */
export async function copyDemoRelease(to: string, upstreamDir: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of await readdir(DEMO_RELEASE)) if (f !== 'NOTES.md' && f !== 'factory.lock.json') await copyFile(join(DEMO_RELEASE, f), join(to, f));
  await copyFile(join(upstreamDir, 'debian-upstream', 'archive-key.asc'), join(to, 'upstream-keyring.asc'));
}

export interface DemoResult {
  workspace: string;
  version: string;
  tocSha256: string;
  volumes: number;
  checks: string[];
  resultsDir: string;
}

/**
 * The whole cycle on one machine with no network beyond loopback: a generated upstream stands in
 * for the internet (Env A), the bundle directory for the media, the repository for Env B.
 */
export async function runDemo(workspace: string, o: StepOptions): Promise<DemoResult> {
  ensureTools(['git', 'python3', 'pip', 'dpkg-deb']);
  const ws = resolve(workspace);
  const d = {
    upstream: join(ws, 'upstream'), release: join(ws, 'release'), store: join(ws, 'store'),
    bundle: join(ws, 'bundle'), keys: join(ws, 'keys'), repo: join(ws, 'repo'), clone: join(ws, 'clone'),
  };
  const step = (n: number, text: string) => o.log(`\n[${n}/8] ${text}`);

  step(1, 'upstream: generating tarballs, binaries, a git repository, images, Python and Debian packages, served on loopback');
  await makeUpstream(d.upstream);
  const upstream = await startServer(d.upstream, { host: '127.0.0.1', port: 0 });
  let served: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    process.env.DEMO_UPSTREAM = upstream.url;
    process.env.DEMO_REGISTRY = new URL(upstream.url).host;
    o.log(`      upstream at ${upstream.url}`);
    await mkdir(d.release, { recursive: true });
    await copyDemoRelease(d.release, d.upstream);

    step(2, 'keygen: an ed25519 signing key for this workspace');
    if (await stat(join(d.keys, 'airgap.key')).then(() => false, () => true)) await generateKeyPair(d.keys);
    else o.log('      reusing the key already in the workspace');
    // and an OpenPGP key: apt checks the repository inside the gap with it
    if (await stat(join(d.keys, 'airgap-openpgp.key')).then(() => false, () => true)) await generateOpenpgpKey(d.keys);

    step(3, 'lock: pinning every artifact');
    const locked = await lockStep(d.release, o);
    o.log(`      ${locked.lock.artifacts.length} artifacts, lock sha256 ${locked.sha256}`);

    step(4, 'mirror: fetching into the content-addressed store');
    const mirrored = await mirrorStep(d.release, d.store, o);
    o.log(`      ${mirrored.artifacts.filter((a) => a.fetched).length} fetched, ${mirrored.artifacts.filter((a) => !a.fetched).length} already in the store`);
    await upstream.close();
    o.log('      upstream stopped: from here on nothing can be fetched');

    step(5, 'bundle: signed volumes for the media');
    const bundled = await bundleStep({ releaseDir: d.release, storeRoot: d.store, outDir: d.bundle, volumeSize: DEMO_VOLUME_SIZE, keyPath: join(d.keys, 'airgap.key') }, o);
    o.log(`      ${bundled.toc.volumes.length} volumes, toc sha256 ${bundled.tocSha256}`);

    step(6, 'verify: signature, volumes, tar safety, completeness');
    const verified = await verifyStep(d.bundle, [join(d.keys, 'airgap.pub')], o);
    if (!verified.ok) throw new AirgapError(`demo bundle failed verification: ${verified.problems.map((p) => p.message).join('; ')}`);
    o.log(`      OK, signed by ${verified.key?.keyId}`);

    step(7, 'import: into the embedded repository');
    const imported = await importStep(d.bundle, [join(d.keys, 'airgap.pub')], d.repo, o, { 'apt-key': join(d.keys, 'airgap-openpgp.key') });
    o.log(`      ${imported.blobs.imported} blobs written, ${imported.blobs.present} already there, ${imported.blobs.rechecked} re-hashed`);

    step(8, 'serve: proving it with real clients against the served repository');
    served = await startServer(d.repo, { host: '127.0.0.1', port: 0 });
    const checks: string[] = [];
    // each kind proves its own artifacts with the client that would use them (Kind.probe)
    for (const a of locked.lock.artifacts) {
      const probe = kindOf(a).probe;
      if (probe) checks.push(await probe(a, { serverUrl: served.url, scratchDir: ws }));
    }
    for (const c of checks) o.log(`      ${c}`);
    return { workspace: ws, version: locked.lock.version, tocSha256: bundled.tocSha256, volumes: bundled.toc.volumes.length, checks, resultsDir: join(o.resultsDir, locked.lock.version) };
  } finally {
    await upstream.close();
    await served?.close();
  }
}

export function demoSummary(r: DemoResult): string {
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  const ws = rel(r.workspace);
  const at = (name: string, ...path: string[]) => repositoryUrl('http://127.0.0.1:8081', name, ...path);
  return `
Demo complete: release ${r.version} crossed the (simulated) air gap.

  declaration   ${ws}/release/factory.yaml  →  ${ws}/release/factory.lock.json
  store         ${ws}/store
  bundle        ${ws}/bundle   (${r.volumes} volumes, toc sha256 ${r.tocSha256})
  keys          ${ws}/keys/airgap.key (secret), ${ws}/keys/airgap.pub (bundle signing, minisign)
                ${ws}/keys/airgap-openpgp.key (secret), ${ws}/keys/airgap-openpgp.asc (signs the apt repository at import)
  repository    ${ws}/repo
  evidence      ${rel(r.resultsDir)}/

Check the bundle with stock tools:
  (cd ${ws}/bundle && sha256sum -c SHA256SUMS)
  minisign -Vm ${ws}/bundle/toc.json -p ${ws}/keys/airgap.pub

Serve the repository and use it:
  npx airgap serve --root ${ws}/repo --listen 127.0.0.1:8081
  git clone ${at('git', 'demo-app.git')}
  curl -O ${at('raw', 'hello', 'hello-1.0.tar.gz')}
  skopeo inspect --tls-verify=false docker://127.0.0.1:8081/demo/hello:1.0
  pip install --index-url ${at('pypi', 'simple', '')} demo-greeting
  curl -O ${at('debian', 'repository-key.gpg')}   # then: deb [signed-by=…] ${at('debian')} bookworm main
`;
}
