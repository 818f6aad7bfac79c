import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { verifyStep } from '../../pipeline/steps.ts';
import { print } from '../output.ts';

export const verify: Command = {
  name: 'verify',
  summary: 'Check a bundle before anything is extracted: signature, every volume, tar safety, completeness. Writes nothing but evidence.',
  usage: '<bundle-dir> --trust PUBKEY [--trust PUBKEY…]',
  positionals: [{ name: 'bundle-dir', help: 'directory holding toc.json and the volumes' }],
  options: { trust: { help: 'a trusted minisign public key (.pub); repeat for several', type: 'string', multiple: true } },
  evidence: true,
  details: 'Exit 0 only when everything holds; exit 1 names each bad volume, artifact or key.',
  async run({ positionals, values, global }) {
    const dir = need(positionals[0], '<bundle-dir>', verify);
    const trust = need(values.trust as string[] | undefined, '--trust', verify);
    const r = await verifyStep(dir, trust, global);
    const lines = r.ok
      ? [`OK: ${dir}: ${r.volumes.length} volume(s) verified, signed by ${r.key?.keyId} (${r.key?.fingerprint})`]
      : ['FAILED: ' + dir, ...r.problems.map((p) => `  ${[p.volume, p.artifact].filter(Boolean).join(' ')}${p.volume || p.artifact ? ': ' : ''}${p.message}`)];
    print(global, { ok: r.ok, tocSha256: r.tocSha256, key: r.key, volumes: r.volumes, problems: r.problems, evidence: r.evidence }, [...lines, `evidence ${r.evidence}`].join('\n'));
    return r.ok ? 0 : 1;
  },
};
