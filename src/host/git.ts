import { run, type RunOptions } from './exec.ts';

/**
 * git as the project calls it: never prompt (a prompt in a pipeline is a hang), never read the
 * operator's global config (an insteadOf rule there would silently reach somewhere else).
 */
export function git(args: string[], opts: RunOptions = {}) {
  return run('git', args, {
    ...opts,
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'airgap', GIT_AUTHOR_EMAIL: 'airgap@localhost',
      GIT_COMMITTER_NAME: 'airgap', GIT_COMMITTER_EMAIL: 'airgap@localhost',
      ...opts.env,
    },
  });
}
