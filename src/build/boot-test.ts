import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../host/exec.ts';
import { ensureTools } from '../host/tools.ts';
import type { BuildContext } from './builder.ts';

export interface BootResult { markerSeen: boolean; bootSeconds?: number; serialLog: string; timeoutSeconds: number }

/**
 * Boot the image under QEMU (TCG: no KVM needed, no network device at all) on a throwaway
 * overlay, with a NoCloud seed (a FAT disk labelled CIDATA) whose user-data prints a fresh
 * marker and the guest's uptime on the serial console and powers off. The run is a sandboxed
 * command like any other, with a hard timeout.
 */
export async function bootTest(ctx: BuildContext, qcow2: string, o: { timeoutSeconds?: number; memoryMiB?: number } = {}): Promise<BootResult> {
  ensureTools(['qemu-system-x86_64', 'qemu-img', 'mkfs.vfat', 'mcopy']);
  const timeoutSeconds = o.timeoutSeconds ?? 180;
  const dir = ctx.outDir;
  const marker = `AIRGAP-BOOT-OK-${randomBytes(6).toString('hex')}`;
  const seed = join(dir, 'seed.img');
  const overlay = join(dir, 'boot-overlay.qcow2');
  const serialLog = join(dir, 'serial.log');
  await writeFile(join(dir, 'user-data'), [
    '#cloud-config',
    'runcmd:',
    `  - [ sh, -c, 'echo "${marker} $(cut -d" " -f1 /proc/uptime)" > /dev/ttyS0' ]`,
    'power_state: { mode: poweroff, delay: now, condition: true }',
    '',
  ].join('\n'));
  await writeFile(join(dir, 'meta-data'), 'instance-id: airgap-boot-test\nlocal-hostname: airgap-boot-test\n');
  for (const f of [seed, overlay, serialLog]) await rm(f, { force: true });
  await run('mkfs.vfat', ['-n', 'CIDATA', '-C', seed, '2048']);
  await run('mcopy', ['-i', seed, join(dir, 'user-data'), join(dir, 'meta-data'), '::']);
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', qcow2, '-F', 'qcow2', overlay, '4G']); // growpart has room to grow
  ctx.log(`boot test: QEMU (TCG) up to ${timeoutSeconds} s, waiting for ${marker}`);
  await ctx.sandbox([
    'timeout', '--kill-after=10', String(timeoutSeconds), 'qemu-system-x86_64', '-machine', 'pc,accel=tcg', '-m', String(o.memoryMiB ?? 1024), '-smp', '2',
    '-nographic', '-no-reboot', '-nic', 'none', '-serial', `file:${serialLog}`, '-monitor', 'none',
    '-drive', `file=${overlay},if=virtio,format=qcow2`, '-drive', `file=${seed},if=virtio,format=raw,readonly=on`,
  ], { label: 'qemu boot test' });
  const log = await readFile(serialLog, 'utf8').catch(() => '');
  const m = new RegExp(`${marker} ([0-9.]+)`).exec(log);
  await rm(overlay, { force: true });
  return { markerSeen: !!m, ...(m ? { bootSeconds: Number(m[1]) } : {}), serialLog, timeoutSeconds };
}
