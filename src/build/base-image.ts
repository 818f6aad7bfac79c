import { join } from 'node:path';
import { buildRootfs, rootfsSpecOf } from './rootfs.ts';
import { Store } from '../store/store.ts';
import { imageOfLayer, layerFromTar } from '../oci/image.ts';
import { RegistryClient } from '../oci/client.ts';
import { pushImage } from '../oci/push.ts';
import { UsageError } from '../util/errors.ts';
import type { Builder, BuildContext } from './builder.ts';
import type { BaseImageSpec, RootfsSpec } from './schema.ts';

/** mmdebstrap's tar → one gzip layer and its config → pushed as spec.name; returns the pushed reference. */
export async function buildBaseImage(ctx: BuildContext, rootfs: RootfsSpec, spec: BaseImageSpec): Promise<{ ref: string; digest: string }> {
  const tar = await buildRootfs(ctx, rootfs);
  ctx.log('base-image: layer (gzip) and config');
  const store = new Store(join(ctx.outDir, 'oci'));
  const { layer, diffId } = await layerFromTar(store, tar.path);
  const created = new Date(ctx.epoch * 1000).toISOString();
  const manifest = await imageOfLayer(store, { layer, diffId, architecture: rootfs.architecture, created, cmd: spec.cmd, createdBy: `airgap build base-image (mmdebstrap --variant=${rootfs.variant} ${rootfs.suite})` });
  const [repository, tag] = spec.name.split(':');
  ctx.log(`base-image: pushing ${ctx.registry}/${spec.name}`);
  await pushImage(new RegistryClient(ctx.registry, { log: ctx.log, credentials: ctx.registryCredentials }), repository, tag, store, manifest.digest);
  const ref = `${ctx.registry}/${spec.name}`;
  ctx.output({ name: 'image', digest: manifest.digest, size: manifest.size, ref });
  return { ref, digest: manifest.digest };
}

/**
 * Builder `base-image`: the rootfs as a single-layer OCI image, no daemon. mmdebstrap's tar is
 * already sorted with fixed times; gzip carries no name or time; the config's one time is the
 * lock's. So the same lock gives the same digest, which is pushed as `name` to the registry.
 */
export const baseImageBuilder: Builder = {
  name: 'base-image',
  summary: 'the rootfs as a single-layer OCI image, pushed to the registry (e.g. debian:bookworm)',
  async run(ctx) {
    const spec = ctx.lock.build?.['base-image'];
    if (!spec) throw new UsageError(`release ${ctx.lock.version}: the lock has no build.base-image`, 'add `build: { base-image: { name: debian:bookworm } }` to factory.yaml and lock again');
    await buildBaseImage(ctx, rootfsSpecOf(ctx), spec);
  },
};
