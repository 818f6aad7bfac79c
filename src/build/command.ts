import type { Builder } from './builder.ts';
import { AirgapError, UsageError } from '../util/errors.ts';

/**
 * Builder `command`: any command, run in the sandbox as it is (an argument array, no shell). For an
 * operator's own build script, and for proving what the sandbox refuses.
 */
export const commandBuilder: Builder = {
  name: 'command',
  summary: 'run a command (after --) in the sandbox',
  usage: '-- CMD [ARG…]',
  async run(ctx, args) {
    if (!args.length) throw new UsageError('build command: nothing to run', 'give the command after --, e.g. airgap build command releases/x -- make image');
    const code = await ctx.sandbox(args, { label: args[0] });
    if (code !== 0) throw new AirgapError(`${args[0]} exited with status ${code}`);
  },
};
