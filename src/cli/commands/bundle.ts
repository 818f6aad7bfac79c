import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { bundleStep } from '../../pipeline/steps.ts';
import { print, defaultStore } from '../output.ts';
import { parseSize, formatSize } from '../../util/size.ts';
import { MAX_VOLUME_SIZE } from '../../bundle/plan.ts';

export const bundle: Command = {
  name: 'bundle',
  summary: 'Write the signed bundle: tar volumes split at file boundaries, toc.json, toc.json.minisig, SHA256SUMS.',
  usage: '<release-dir> --out DIR --key FILE [--volume-size SIZE] [--store DIR]',
  positionals: [{ name: 'release-dir', help: 'directory holding factory.lock.json' }],
  options: {
    out: { help: 'output directory for the bundle', type: 'string', dir: 'writes' },
    key: { help: 'secret key (from airgap keygen) that signs toc.json', type: 'string' },
    'volume-size': { help: 'largest volume, e.g. 4G, 700M, 25G (at most 64T)', type: 'string', default: '4G' },
    store: { help: 'the store directory (or $AIRGAP_STORE)', type: 'string', default: defaultStore(), dir: 'reads' },
  },
  evidence: true,
  details: 'Same lock and store ⇒ byte-identical volumes, toc and signature. Check the result with\n  sha256sum -c SHA256SUMS   and   minisign -Vm toc.json -p KEY.pub',
  async run({ positionals, values, global }) {
    const releaseDir = need(positionals[0], '<release-dir>', bundle);
    const outDir = need(values.out, '--out', bundle);
    const keyPath = need(values.key, '--key', bundle);
    const r = await bundleStep({ releaseDir, storeRoot: values.store, outDir, keyPath, volumeSize: parseSize(values['volume-size'], { what: '--volume-size', max: MAX_VOLUME_SIZE }) }, global);
    const bytes = r.toc.volumes.reduce((n, v) => n + v.size, 0);
    print(global, { out: outDir, tocSha256: r.tocSha256, signer: r.signer, volumes: r.toc.volumes, evidence: r.evidence },
      `bundle ${outDir}: ${r.toc.volumes.length} volume(s), ${formatSize(bytes)}, ${r.toc.artifacts.length} artifacts\ntoc sha256 ${r.tocSha256}\nsigned by ${r.signer.keyId} (${r.signer.fingerprint})\nevidence ${r.evidence}`);
    return 0;
  },
};
