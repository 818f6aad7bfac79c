import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { lockStep } from '../../pipeline/steps.ts';
import { print } from '../output.ts';

export const lock: Command = {
  name: 'lock',
  summary: 'Resolve releases/<version>/factory.yaml into factory.lock.json: every artifact pinned (sha256, commit).',
  usage: '<release-dir>',
  positionals: [{ name: 'release-dir', help: 'directory holding factory.yaml (e.g. releases/2.0.0)' }],
  options: {},
  evidence: true,
  details: 'Files without a sha256 are downloaded once and hashed; git refs are resolved with git ls-remote.\nSet SOURCE_DATE_EPOCH to fix the lock timestamp.',
  async run({ positionals, global }) {
    const dir = need(positionals[0], '<release-dir>', lock);
    const r = await lockStep(dir, global);
    print(global, { lock: r.path, sha256: r.sha256, artifacts: r.lock.artifacts.length, evidence: r.evidence },
      `locked ${r.lock.artifacts.length} artifacts → ${r.path}\nsha256 ${r.sha256}\nevidence ${r.evidence}`);
    return 0;
  },
};
