import type { ProbeContext } from '../kind.ts';
import type { PypiLocked } from './schema.ts';
import { repositoryPath, repositoryUrl } from '../../repository/urls.ts';
import { AirgapError } from '../../util/errors.ts';

/** The project's PEP 691 page, as pip reads it: the file is listed with its locked hash. */
export async function probePypi(p: PypiLocked, ctx: ProbeContext): Promise<string> {
  const res = await fetch(repositoryUrl(ctx.serverUrl, 'pypi', 'simple', p.name, ''), { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  const file = ((await res.json()) as { files: { filename: string; hashes: { sha256: string } }[] }).files.find((f) => f.filename === p.filename);
  if (file?.hashes.sha256 !== p.sha256) throw new AirgapError(`served pypi index lacks ${p.filename} with its locked hash`);
  return `GET ${repositoryPath('pypi', 'simple', p.name, '')} → ${p.filename} sha256 ${p.sha256.slice(0, 16)}… as locked`;
}
