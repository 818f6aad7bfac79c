#!/usr/bin/env node
/**
 * Runbook "bundle" (Env A): write the signed bundle (volumes, toc.json, toc.json.minisig,
 * SHA256SUMS, factory.lock.json) and results/<version>/bundle.json. The page is runbooks/bundle.mdx.
 */
import { argv, echo } from 'zx';
import { bundleStep } from '../src/pipeline/steps.ts';
import { say } from '../src/util/progress.ts';
import { formatSize, parseSize } from '../src/util/size.ts';
import { entry, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';
import { storeDir } from './mirror.ts';

export const meta: RunbookMeta = { id: 'bundle', title: 'Write the signed bundle for the media', environment: 'A (connected)' };

export const params: ParamSpec[] = [
  { name: 'release', help: 'release directory holding factory.lock.json', required: true },
  { name: 'out', help: 'output directory for the bundle (one medium, or a staging directory)', required: true },
  { name: 'key', help: 'secret signing key written by `airgap keygen`', required: true },
  { name: 'volume-size', help: 'largest volume, e.g. 4G, 700M, 25G', default: '4G' },
  { name: 'store', help: 'the content-addressed store directory', default: '$AIRGAP_STORE or ./airgap-store' },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface BundleParams {
  release: string;
  out: string;
  key: string;
  volumeSize?: string;
  store?: string;
  results?: string;
  log?: (m: string) => void;
}

export async function run(p: BundleParams) {
  return bundleStep(
    { releaseDir: p.release, storeRoot: storeDir(p.store), outDir: p.out, keyPath: p.key, volumeSize: parseSize(p.volumeSize ?? '4G') },
    { resultsDir: resultsDir(p.results), log: p.log ?? say },
  );
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const r = await run({ release: str(v.release)!, out: str(v.out)!, key: str(v.key)!, volumeSize: str(v['volume-size']), store: str(v.store), results: str(v.results) });
    const bytes = r.toc.volumes.reduce((n, x) => n + x.size, 0);
    echo(`bundle ${r.outDir}: release ${r.toc.release}, ${r.toc.artifacts.length} artifacts in ${r.toc.volumes.length} volume(s), ${formatSize(bytes)}`);
    for (const x of r.toc.volumes) echo(`  ${x.name}  ${formatSize(x.size)}  ${x.blobs} blobs  sha256 ${x.sha256}`);
    echo(`toc.json sha256 ${r.tocSha256}`);
    echo(`signed by key ${r.signer.keyId} (${r.signer.fingerprint})`);
    echo(`evidence ${r.evidence}`);
    return 0;
  });
}
