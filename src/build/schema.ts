import { z } from 'zod';

const suite = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a suite name');
const pkg = z.string().regex(/^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+)?$/, 'a Debian package name, or name=version');

/** Builder `rootfs`: mmdebstrap from an apt repository inside the gap. */
export const rootfsSpec = z.strictObject({
  /** the apt repository (its `as.repository`) and suite the served repository has */
  repository: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).default('debian'),
  suite: suite.default('bookworm'),
  components: z.array(z.string().regex(/^[a-z0-9-]+$/)).default(['main']),
  /** mmdebstrap's --variant */
  variant: z.enum(['essential', 'apt', 'required', 'minbase', 'buildd', 'important', 'standard']).default('minbase'),
  /** more packages (--include); they must be in the locked closure */
  packages: z.array(pkg).default([]),
  architecture: z.string().regex(/^[a-z0-9-]+$/).default('amd64'),
});
export type RootfsSpec = z.infer<typeof rootfsSpec>;

/** Builder `base-image`: the rootfs as a single-layer OCI image. */
export const baseImageSpec = z.strictObject({
  /** repository:tag in the target registry, e.g. debian:bookworm */
  name: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'repository:tag, e.g. debian:bookworm'),
  cmd: z.array(z.string()).default(['bash']),
});
export type BaseImageSpec = z.infer<typeof baseImageSpec>;

/** Builder `disk-image`: elements in diskimage-builder's layout, a loopless qcow2, a boot test. */
export const diskImageSpec = z.strictObject({
  /** file name stem of the outputs: NAME.qcow2, NAME.vmlinuz, NAME.initrd */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).default('debian'),
  elements: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)).min(1).default(['vm', 'cloud-init', 'cleanup']),
  /** more element directories, relative to the release directory, searched before the built-in ones */
  elementsPath: z.array(z.string()).default([]),
  /** the raw disk's size (the qcow2 is sparse and compressed) */
  size: z.string().regex(/^\d+[MG]$/).default('2G'),
  /** variables for the elements (DIB_*, DOCKER_CE_PACKAGES_FROM …), as DIB takes them from its environment */
  environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  /**
   * container images to carry inside the disk image (the kubernetes element imports them into
   * containerd at first boot): `from` is repository:tag in the registry the build pushes to,
   * `as` the name the image must have there (registry.k8s.io/pause:3.9)
   */
  images: z.array(z.strictObject({ from: z.string().regex(/^[a-z0-9._/-]+:[A-Za-z0-9_.-]+$/, 'repository:tag'), as: z.string().min(1) })).default([]),
  /** boot it under QEMU (TCG) with a NoCloud seed and wait for cloud-init's marker */
  bootTest: z.boolean().default(true),
});
export type DiskImageSpec = z.infer<typeof diskImageSpec>;

/**
 * factory.yaml `build:`. Copied into the lock at lock time, because the build runs in Env B from
 * the bundle's lock: the factory.yaml does not cross the gap.
 */
export const buildSection = z.strictObject({
  rootfs: rootfsSpec.optional(),
  'base-image': baseImageSpec.optional(),
  'disk-image': diskImageSpec.optional(),
});
export type BuildSection = z.infer<typeof buildSection>;
