import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { importStep } from '../../pipeline/steps.ts';
import { print } from '../output.ts';
import { parseUserUrl } from '../../util/url.ts';

export const importCmd: Command = {
  name: 'import',
  summary: 'Verify a bundle, then stream it into the embedded repository (journaled; a rerun resumes).',
  usage: '<bundle-dir> --trust PUBKEY --to DIR [--registry URL] [--apt-key FILE] [--allow-rollback]',
  positionals: [{ name: 'bundle-dir', help: 'directory holding toc.json and the volumes' }],
  options: {
    trust: { help: 'a trusted minisign public key (.pub); repeat for several', type: 'string', multiple: true },
    to: { help: 'the repository directory that `airgap serve --root` serves', type: 'string', dir: 'writes' },
    registry: { help: 'also push every image to this OCI registry (http://host:port for plain HTTP)', type: 'string' },
    'apt-key': { help: 'OpenPGP secret key that signs the apt repositories (airgap keygen --openpgp)', type: 'string' },
    'allow-rollback': { help: 'import a release older than one already imported (its bytes are served again under the same names)', type: 'boolean' },
  },
  evidence: true,
  details: 'Nothing is imported unless the whole bundle verifies. Every blob is hashed again once in place. A release older than one already imported is refused (a rollback) unless --allow-rollback.',
  async run({ positionals, values, global }) {
    const dir = need(positionals[0], '<bundle-dir>', importCmd);
    const trust = need(values.trust as string[] | undefined, '--trust', importCmd);
    const to = need(values.to, '--to', importCmd);
    // checked now, not when the first image is pushed after the whole bundle is verified; passed on as written
    if (values.registry !== undefined) parseUserUrl(values.registry.includes('://') ? values.registry : `https://${values.registry}`, '--registry');
    const r = await importStep(dir, trust, to, global, values.registry, values['apt-key'], values['allow-rollback'] === true);
    print(global, { repository: to, release: r.release, blobs: r.blobs, artifacts: r.artifacts, evidence: r.evidence },
      `imported ${r.release} into ${to}: ${r.blobs.imported} blobs written, ${r.blobs.present} already there, ${r.blobs.rechecked} re-hashed\n${r.artifacts.map((a) => `  ${a.id} → ${a.placed.join(', ')}`).join('\n')}\nevidence ${r.evidence}`);
    return 0;
  },
};
