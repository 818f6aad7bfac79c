import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Builder, BuildContext } from './builder.ts';
import { Store } from '../store/store.ts';
import { RegistryClient } from '../oci/client.ts';
import { pullTree } from '../oci/pull.ts';
import { writeOciArchive } from '../oci/archive.ts';
import { buildRootfs, rootfsSpecOf } from './rootfs.ts';
import { BUILTIN_ELEMENTS, planElements } from './elements.ts';
import { bootTest } from './boot-test.ts';
import { sha256, sha256File } from '../util/hash.ts';
import { parseSize } from '../util/size.ts';
import { AirgapError, UsageError } from '../util/errors.ts';
import { registryBaseUrl } from '../oci/reference.ts';
import { ensureTools } from '../host/tools.ts';
import { diskImageSpec } from './schema.ts';

const RUN_PHASES = join(import.meta.dirname, 'run-phases.ts');
const MAKE_DISK = join(import.meta.dirname, 'make-disk.ts');

/** A filesystem UUID that follows from the lock and the image name: the same inputs, the same UUID. */
function uuidFrom(seed: string): string {
  const h = sha256(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One image from the registry the build pushes to, as an OCI archive named `as`, for the elements. */
async function imageArchive(ctx: BuildContext, from: string, as: string, dir: string): Promise<{ root: string }> {
  const [repository, tag] = [from.slice(0, from.lastIndexOf(':')), from.slice(from.lastIndexOf(':') + 1)];
  const client = new RegistryClient(ctx.registry, { log: ctx.log });
  const store = new Store(join(ctx.outDir, 'oci'));
  const what = `image ${ctx.registry}/${from}`;
  const m = await client.getManifest(repository, tag).catch((err: Error) => {
    throw new AirgapError(`disk-image: ${what}: ${err.message}`, { hint: 'import the bundle that carries it (oci kind) and serve it, or push it there' });
  });
  const root = await store.ingest([m.bytes], { expected: m.digest, what });
  const blobs = await pullTree(client, repository, root, m.bytes, store, what);
  const file = `${as.replace(/[^A-Za-z0-9._-]+/g, '_')}.tar`;
  await writeOciArchive(store, { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }, blobs, as, join(dir, file), ctx.epoch);
  ctx.log(`disk-image: ${what} → ${file} (as ${as})`);
  return { root: m.digest };
}

/**
 * Builder `disk-image`: mmdebstrap's base system, then the elements' phases in diskimage-builder's
 * order (run-phases.ts, as an mmdebstrap hook inside the sandbox), then the loopless disk, qcow2,
 * the kernel and initrd beside it (get-kernel), and a boot test.
 */
export const diskImageBuilder: Builder = {
  name: 'disk-image',
  summary: 'a bootable qcow2 from elements (diskimage-builder layout), loopless, with a QEMU boot test',
  async run(ctx) {
    const declared = ctx.lock.build?.['disk-image'];
    if (!declared && !ctx.overrides.elements) throw new UsageError(`release ${ctx.lock.version}: the lock has no build.disk-image`, 'add `build: { disk-image: { name: debian-12, elements: [vm, cloud-init, cleanup] } }` to factory.yaml and lock again, or give --elements');
    const merged = diskImageSpec.safeParse({ ...(declared ?? {}), ...ctx.overrides });
    if (!merged.success) throw new UsageError(`disk-image: ${merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const spec = merged.data;
    const rootfs = rootfsSpecOf(ctx);
    ensureTools(['sfdisk', 'mkfs.ext4', 'e2fsck', 'qemu-img', ...(spec.bootTest ? ['qemu-system-x86_64', 'mkfs.vfat', 'mcopy'] : [])]); // before minutes of mmdebstrap
    const path = [...spec.elementsPath.map((p) => resolve(ctx.releaseDir, p)), BUILTIN_ELEMENTS];
    const plan = await planElements(spec.elements, path);
    ctx.log(`disk-image: elements ${plan.elements.map((e) => e.name).join(', ')}`);
    for (const e of plan.elements) {
      const files = [...Object.values(plan.phases).flat(), ...plan.environment].filter((s) => s.element === e.name);
      const digest = sha256(files.map((f) => f.path).sort().join('\n') + (await Promise.all(files.map(async (f) => (await sha256File(f.path)).sha256))).join(''));
      ctx.input({ name: `element ${e.name}`, digest: `sha256:${digest}` });
    }
    const imagesDir = join(ctx.outDir, 'images');
    await rm(imagesDir, { recursive: true, force: true });
    await mkdir(imagesDir, { recursive: true });
    for (const im of spec.images) {
      const a = await imageArchive(ctx, im.from, im.as, imagesDir);
      ctx.input({ name: `image ${im.as}`, digest: a.root, ref: `${ctx.registry}/${im.from}` });
    }
    const uuid = uuidFrom(`${ctx.lockSha256}:${spec.name}`);
    const planFile = join(ctx.outDir, 'elements-plan.json');
    await writeFile(planFile, JSON.stringify({ plan, env: { ...spec.environment, AIRGAP_REGISTRY: ctx.registry, AIRGAP_REGISTRY_URL: registryBaseUrl(ctx.registry), AIRGAP_IMAGES_DIR: imagesDir, AIRGAP_ROOT_UUID: uuid, DIB_IMAGE_ROOT_FS_UUID: uuid, ARCH: rootfs.architecture, DISTRO_NAME: 'debian', DIB_RELEASE: rootfs.suite, SOURCE_DATE_EPOCH: String(ctx.epoch) } }));
    const base = await buildRootfs(ctx, rootfs, { directory: true, hooks: [`"$AIRGAP_NODE" "$AIRGAP_RUN_PHASES" "$1" "$AIRGAP_PLAN"`], env: { AIRGAP_NODE: process.execPath, AIRGAP_RUN_PHASES: RUN_PHASES, AIRGAP_PLAN: planFile } });

    ctx.log('disk-image: disk (sfdisk, mkfs.ext4 -d, GRUB written in place), then qcow2');
    const raw = join(ctx.outDir, `${spec.name}.raw`);
    const qcow2 = join(ctx.outDir, `${spec.name}.qcow2`);
    // in the sandbox like every other command of the build (they need no network, and prove it)
    const code = await ctx.sandbox([process.execPath, MAKE_DISK, base.path, raw, String(parseSize(spec.size)), uuid, String(ctx.epoch), qcow2], { label: 'disk and qcow2' });
    if (code !== 0) throw new AirgapError(`making the disk failed (exit ${code}); see the build log`);
    const q = await sha256File(qcow2);
    ctx.output({ name: `${spec.name}.qcow2`, digest: `sha256:${q.sha256}`, size: q.size });
    // get-kernel: what direct-kernel boots and Glance's kernel_id/ramdisk_id need
    const boot = await readdir(join(base.path, 'boot'));
    for (const [prefix, suffix] of [['vmlinuz-', 'vmlinuz'], ['initrd.img-', 'initrd']]) {
      const f = boot.filter((n) => n.startsWith(prefix)).sort().at(-1);
      if (!f) throw new AirgapError(`no /boot/${prefix}* in the image: is the vm element in the list?`);
      const out = join(ctx.outDir, `${spec.name}.${suffix}`);
      await copyFile(join(base.path, 'boot', f), out);
      const d = await sha256File(out);
      ctx.output({ name: `${spec.name}.${suffix}`, digest: `sha256:${d.sha256}`, size: d.size });
    }
    await rm(base.path, { recursive: true, force: true });
    if (spec.bootTest) {
      const b = await bootTest(ctx, qcow2);
      ctx.output({ name: 'boot test serial log', digest: `sha256:${(await sha256File(b.serialLog)).sha256}` });
      ctx.note({ bootTest: { markerSeen: b.markerSeen, ...(b.bootSeconds !== undefined ? { bootSeconds: b.bootSeconds } : {}) } });
      if (!b.markerSeen) throw new AirgapError(`boot test: cloud-init's marker did not appear on the serial console within ${b.timeoutSeconds} s (see ${b.serialLog})`);
      ctx.log(`boot test: marker seen at ${b.bootSeconds} s of guest uptime`);
    }
  },
};
