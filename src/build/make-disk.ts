// The disk step of `airgap build disk-image`, run as a sandboxed command:
// make-disk.ts ROOT_DIR RAW SIZE_BYTES UUID EPOCH QCOW2. The raw file is removed after conversion.
import { rm } from 'node:fs/promises';
import { makeDisk, toQcow2 } from './disk.ts';

const [root, raw, size, uuid, epoch, qcow2] = process.argv.slice(2);
try {
  await makeDisk(root, raw, Number(size), uuid, Number(epoch));
  await toQcow2(raw, qcow2);
  await rm(raw, { force: true });
} catch (err) {
  process.stderr.write(`make-disk: ${(err as Error).message}\n`);
  process.exit(1);
}
