import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { runDemo, demoSummary } from '../../demo/demo.ts';
import { print } from '../output.ts';

export const demo: Command = {
  name: 'demo',
  summary: 'Run the whole cycle on this machine against a generated loopback upstream (no internet needed).',
  usage: '[--workspace DIR]',
  options: { workspace: { help: 'where the demo keeps its upstream, store, bundle, keys and repository', type: 'string', default: '.work/demo', dir: 'writes' } },
  evidence: true,
  details: 'Rerunning reuses the workspace: the key is kept, the store and the repository skip what they hold.',
  async run({ values, global }) {
    const r = await runDemo(resolve(values.workspace), global);
    print(global, r, demoSummary(r));
    return 0;
  },
};
