import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { mirrorStep } from '../../pipeline/steps.ts';
import { print, defaultStore } from '../output.ts';
import { formatSize } from '../../util/size.ts';

export const mirror: Command = {
  name: 'mirror',
  summary: 'Fetch every artifact of a lock into the content-addressed store (resumable; what is there is skipped).',
  usage: '<release-dir> [--store DIR]',
  positionals: [{ name: 'release-dir', help: 'directory holding factory.lock.json' }],
  options: { store: { help: 'the store directory (or $AIRGAP_STORE)', type: 'string', default: defaultStore(), dir: 'writes' } },
  evidence: true,
  async run({ positionals, values, global }) {
    const dir = need(positionals[0], '<release-dir>', mirror);
    const r = await mirrorStep(dir, values.store, global);
    const fetched = r.artifacts.filter((a) => a.fetched).length;
    print(global, { store: values.store, fetched, present: r.artifacts.length - fetched, bytesFetched: r.bytesFetched, evidence: r.evidence },
      `mirrored ${r.artifacts.length} artifacts into ${values.store} (${fetched} fetched, ${formatSize(r.bytesFetched)}; ${r.artifacts.length - fetched} already there)\nevidence ${r.evidence}`);
    return 0;
  },
};
