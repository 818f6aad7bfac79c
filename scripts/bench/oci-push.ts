import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Store } from '../../src/store/store.ts';
import { tagRef } from '../../src/oci/layout.ts';
import { OCI_MANIFEST } from '../../src/oci/media.ts';
import { RegistryClient } from '../../src/oci/client.ts';
import { pushImage } from '../../src/oci/push.ts';

/**
 * Push a generated image set from an OCI layout into Debian's docker-registry on loopback, with
 * airgap's client and with `skopeo copy`, each into a fresh registry, best of `runs`.
 */
export interface OciPushResult { bytes: number; images: number; layers: number; airgapSeconds: number; skopeoSeconds: number }

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function registry(dir: string) {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  await writeFile(join(dir, 'config.yml'), [
    'version: 0.1', 'log: { level: error }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, maintenance: { uploadpurging: { enabled: false } } }`,
    `http: { addr: 127.0.0.1:${port}, secret: bench-only }`, 'health: { storagedriver: { enabled: false } }',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); await rm(dir, { recursive: true, force: true }); },
  };
}

/** `images` images of `layers` layers each, random bytes, total `bytes`. */
export async function generateImageSet(root: string, bytes: number, images = 4, layers = 4): Promise<string[]> {
  const store = new Store(root);
  const per = Math.floor(bytes / (images * layers));
  const refs: string[] = [];
  for (let i = 0; i < images; i++) {
    const ls = [];
    for (let l = 0; l < layers; l++) {
      const w = await store.writer({ what: 'bench layer' });
      for (let left = per; left > 0; left -= 4 << 20) await w.write(randomBytes(Math.min(left, 4 << 20)));
      const b = await w.commit();
      ls.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: b.digest, size: b.size });
    }
    const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ls.map((l) => l.digest) } }));
    const config = await store.ingest([cfg], { what: 'config' });
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: ls }));
    const manifest = await store.ingest([m], { what: 'manifest' });
    const ref = `bench/img${i}:1`;
    await tagRef(root, ref, { mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size });
    refs.push(ref);
  }
  return refs;
}

export async function benchOciPush(work: string, bytes: number, runs: number, log: (m: string) => void): Promise<OciPushResult> {
  const layout = join(work, 'layout');
  const refs = await generateImageSet(layout, bytes);
  const store = new Store(layout);
  const { readIndex } = await import('../../src/oci/layout.ts');
  const index = await readIndex(layout);
  let airgapSeconds = Infinity;
  let skopeoSeconds = Infinity;
  for (let r = 0; r < runs; r++) {
    const a = await registry(join(work, `reg-a-${r}`));
    let t = process.hrtime.bigint();
    const client = new RegistryClient(a.host);
    for (const ref of refs) {
      const d = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref)!;
      const [repo, tag] = ref.split(':');
      await pushImage(client, repo, tag, store, d.digest);
    }
    airgapSeconds = Math.min(airgapSeconds, Number(process.hrtime.bigint() - t) / 1e9);
    await a.stop();
    const s = await registry(join(work, `reg-s-${r}`));
    t = process.hrtime.bigint();
    for (const ref of refs) {
      const res = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${ref}`, `docker://${s.host}/${ref}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (res.status !== 0) throw new Error(`skopeo copy failed: ${res.stderr}`);
    }
    skopeoSeconds = Math.min(skopeoSeconds, Number(process.hrtime.bigint() - t) / 1e9);
    await s.stop();
    log(`oci push run ${r + 1}/${runs}: airgap ${airgapSeconds.toFixed(2)} s, skopeo ${skopeoSeconds.toFixed(2)} s (best so far)`);
  }
  return { bytes, images: refs.length, layers: 4, airgapSeconds, skopeoSeconds };
}
