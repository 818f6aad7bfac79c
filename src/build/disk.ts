import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../host/exec.ts';
import { ensureTools } from '../host/tools.ts';
import { AirgapError } from '../util/errors.ts';

const MiB = 1 << 20;

/**
 * A BIOS-bootable raw disk from a root directory with no loop device, mount or nbd
 * (reference disk-images.md 4.2): an MBR partition table written by sfdisk into a plain file, the
 * ext4 filesystem made from the directory with mkfs.ext4 -d at the partition's offset, GRUB's
 * MBR code and core.img (made inside the image by the vm element) written with positioned writes.
 */
export async function makeDisk(rootDir: string, raw: string, sizeBytes: number, uuid: string, epoch: number): Promise<void> {
  ensureTools(['sfdisk', 'mkfs.ext4', 'e2fsck']);
  await rm(raw, { force: true });
  const f = await open(raw, 'w');
  await f.truncate(sizeBytes);
  await f.close();
  await run('sfdisk', ['-q', raw], { input: 'label: dos\nstart=2048, type=83, bootable\n' });
  await run('mkfs.ext4', ['-q', '-F', '-L', 'rootfs', '-U', uuid, '-E', `offset=${MiB}`, '-d', rootDir, raw, `${(sizeBytes - MiB) / 1024}k`],
    { env: { ...process.env, E2FSPROGS_FAKE_TIME: String(epoch) } }); // superblock times from the lock, not the clock
  const grub = join(rootDir, 'usr/lib/grub/i386-pc/boot.img');
  const core = join(rootDir, 'boot/grub/i386-pc/core.img');
  const disk = await open(raw, 'r+');
  try {
    const boot = await readAll(grub);
    await disk.write(boot, 0, 440, 0); // the MBR code only: the partition table stays
    const c = await readAll(core);
    if (c.length > MiB - 512) throw new AirgapError(`core.img is ${c.length} bytes: it does not fit before the first partition`);
    await disk.write(c, 0, c.length, 512);
    await disk.sync();
  } finally {
    await disk.close();
  }
  await run('e2fsck', ['-fn', `${raw}?offset=${MiB}`]);
}

async function readAll(path: string): Promise<Buffer> {
  const f = await open(path, 'r');
  try { return await f.readFile(); } finally { await f.close(); }
}

/** qcow2, zlib-compressed (every compute node's qemu reads it; zstd needs qemu ≥ 5.1). */
export async function toQcow2(raw: string, qcow2: string): Promise<void> {
  ensureTools(['qemu-img']);
  await rm(qcow2, { force: true });
  await run('qemu-img', ['convert', '-c', '-O', 'qcow2', raw, qcow2], { timeoutMs: 1_800_000 });
}
