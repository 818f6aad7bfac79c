import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { importStep } from '../../pipeline/steps.ts';
import { print } from '../output.ts';
import { importOptions } from '../../kinds/index.ts';

// the flags kinds declare for import (--registry, --apt-key…): generic code names none of them
const kindFlags = importOptions();

export const importCmd: Command = {
  name: 'import',
  summary: 'Verify a bundle, then stream it into the embedded repository (journaled; a rerun resumes).',
  usage: `<bundle-dir> --trust PUBKEY --to DIR ${kindFlags.map((o) => `[--${o.flag} ${o.value}] `).join('')}[--allow-rollback]`,
  positionals: [{ name: 'bundle-dir', help: 'directory holding toc.json and the volumes' }],
  options: {
    trust: { help: 'a trusted minisign public key (.pub); repeat for several', type: 'string', multiple: true },
    to: { help: 'the repository directory that `airgap serve --root` serves', type: 'string', dir: 'writes' },
    ...Object.fromEntries(kindFlags.map((o) => [o.flag, { help: o.help, type: 'string' as const }])),
    'allow-rollback': { help: 'import a release older than one already imported (its bytes are served again under the same names)', type: 'boolean' },
  },
  evidence: true,
  details: 'Nothing is imported unless the whole bundle verifies. Every blob is hashed again once in place. A release older than one already imported is refused (a rollback) unless --allow-rollback.',
  async run({ positionals, values, global }) {
    const dir = need(positionals[0], '<bundle-dir>', importCmd);
    const trust = need(values.trust as string[] | undefined, '--trust', importCmd);
    const to = need(values.to, '--to', importCmd);
    for (const o of kindFlags) if (values[o.flag] !== undefined) o.check?.(values[o.flag]);
    const r = await importStep(dir, trust, to, global, Object.fromEntries(kindFlags.map((o) => [o.flag, values[o.flag] as string | undefined])), values['allow-rollback'] === true);
    print(global, { repository: to, release: r.release, blobs: r.blobs, artifacts: r.artifacts, evidence: r.evidence },
      `imported ${r.release} into ${to}: ${r.blobs.imported} blobs written, ${r.blobs.present} already there, ${r.blobs.rechecked} re-hashed\n${r.artifacts.map((a) => `  ${a.id} → ${a.placed.join(', ')}`).join('\n')}\nevidence ${r.evidence}`);
    return 0;
  },
};
