import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Builder, BuildContext } from './builder.ts';
import type { RootfsSpec } from './schema.ts';
import { fetchBytes } from '../apt/fetch-index.ts';
import { sha256, sha256File } from '../util/hash.ts';
import { ensureTools } from '../host/tools.ts';
import { AirgapError, UsageError } from '../util/errors.ts';
import { repositoryUrl } from '../repository/urls.ts';

/** Where the image's own apt finds the factory key (its sources.list names it, signed-by). */
export const KEY_IN_IMAGE = '/etc/apt/keyrings/airgap-factory.gpg';

/**
 * mmdebstrap from the served apt repository, in the sandbox, into a tar. SOURCE_DATE_EPOCH comes
 * from the lock, so the same lock and repository give the same bytes (mmdebstrap's promise for
 * tar output). Root uses --mode=root; anyone else --mode=unshare (user namespaces).
 */
export async function buildRootfs(ctx: BuildContext, spec: RootfsSpec, o: { directory?: boolean; hooks?: string[]; env?: Record<string, string> } = {}): Promise<{ path: string; sha256?: string; size?: number }> {
  ensureTools(['mmdebstrap']);
  const repo = repositoryUrl(ctx.serverUrl, spec.repository);
  const key = join(ctx.outDir, 'repository-key.gpg');
  const [keyBytes, inRelease] = await Promise.all([
    fetchBytes(`${repo}/repository-key.gpg`),
    fetchBytes(`${repo}/dists/${spec.suite}/InRelease`),
  ]).catch((err) => {
    throw new AirgapError(`rootfs: the apt repository ${repo} (suite ${spec.suite}) is not served: ${(err as Error).message}`, { hint: 'import a bundle with that apt repository and run `airgap serve`; check --server' });
  });
  await writeFile(key, keyBytes);
  ctx.input({ name: `${spec.repository}/repository-key.gpg`, digest: `sha256:${sha256(keyBytes)}`, size: keyBytes.length });
  ctx.input({ name: `${spec.repository}/dists/${spec.suite}/InRelease`, digest: `sha256:${sha256(inRelease)}`, size: inRelease.length });

  const out = join(ctx.outDir, o.directory ? 'rootfs' : 'rootfs.tar');
  await rm(out, { force: true, recursive: true });
  const mode = process.getuid?.() === 0 ? 'root' : 'unshare';
  const code = await ctx.sandbox([
    'mmdebstrap', `--variant=${spec.variant}`, `--mode=${mode}`, `--architectures=${spec.architecture}`,
    '--aptopt=Apt::Install-Recommends "false"',
    // apt drops to _apt to fetch and to check signatures; the key sits in the operator's build
    // directory, which _apt may not traverse (NO_PUBKEY). The sandbox is the boundary here.
    ...(mode === 'root' ? ['--aptopt=APT::Sandbox::User "root"'] : []),
    ...(spec.packages.length ? [`--include=${spec.packages.join(',')}`] : []),
    // the image keeps the key and a sources.list that names it where it lives inside the image
    `--customize-hook=mkdir -p "$1/etc/apt/keyrings" && cp "$AIRGAP_KEY" "$1${KEY_IN_IMAGE}"`,
    `--customize-hook=sed -i "s#signed-by=[^] ]*#signed-by=${KEY_IN_IMAGE}#" "$1/etc/apt/sources.list"`,
    // (the caller's hooks run with the sandbox's resolver in place, so their lookups are recorded)
    ...(o.hooks ?? []).map((h) => `--customize-hook=${h}`),
    // mmdebstrap copies the build host's resolver and name: the sandbox's, meaningless in an image
    '--customize-hook=rm -f "$1/etc/resolv.conf" "$1/etc/hostname"',
    ...(o.directory ? ['--format=directory'] : []),
    spec.suite, out, `deb [signed-by=${key}] ${repo} ${spec.suite} ${spec.components.join(' ')}`,
  ], { env: { SOURCE_DATE_EPOCH: String(ctx.epoch), AIRGAP_KEY: key, ...o.env }, label: 'mmdebstrap' });
  if (code !== 0) throw new AirgapError(`mmdebstrap exited with status ${code}`);
  if (o.directory) return { path: out };
  const { sha256: digest, size } = await sha256File(out);
  ctx.output({ name: 'rootfs.tar', digest: `sha256:${digest}`, size });
  return { path: out, sha256: digest, size };
}

export function rootfsSpecOf(ctx: BuildContext): RootfsSpec {
  const spec = ctx.lock.build?.rootfs;
  if (!spec) throw new UsageError(`release ${ctx.lock.version}: the lock has no build.rootfs`, 'add `build: { rootfs: { suite: bookworm } }` to factory.yaml and lock again');
  return spec;
}

export const rootfsBuilder: Builder = {
  name: 'rootfs',
  summary: 'a Debian root filesystem (tar) from the served apt repository, with mmdebstrap',
  async run(ctx) {
    await buildRootfs(ctx, rootfsSpecOf(ctx));
  },
};
