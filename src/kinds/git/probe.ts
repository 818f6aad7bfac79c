import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeContext } from '../kind.ts';
import type { GitLocked } from './schema.ts';
import { repositoryPath, repositoryUrl } from '../../repository/urls.ts';
import { git } from '../../host/git.ts';
import { AirgapError } from '../../util/errors.ts';

/** A real `git clone` over smart HTTP: HEAD must be the locked commit. */
export async function probeGit(g: GitLocked, ctx: ProbeContext): Promise<string> {
  const clone = join(ctx.scratchDir, 'clone');
  await rm(clone, { recursive: true, force: true });
  await git(['clone', '-q', repositoryUrl(ctx.serverUrl, 'git', `${g.name}.git`), clone]);
  const head = (await git(['-C', clone, 'rev-parse', 'HEAD'])).stdout.trim();
  if (head !== g.commit) throw new AirgapError(`git clone of ${g.name} gave ${head}, lock says ${g.commit}`);
  return `git clone ${repositoryPath('git', `${g.name}.git`)} → HEAD ${head.slice(0, 12)} as locked`;
}
