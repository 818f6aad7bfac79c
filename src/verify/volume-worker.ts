import { parentPort, workerData } from 'node:worker_threads';
import { checkVolume } from './volume.ts';

/**
 * One volume checked on its own thread: hashing is synchronous, so two volumes checked from the
 * main thread share one core however many reads are in flight. Progress goes back in 64 MiB steps.
 */
const { path, expected } = workerData as { path: string; expected: [string, number][] };
let pending = 0;
const result = await checkVolume(path, new Map(expected), (n) => {
  pending += n;
  if (pending >= 64 << 20) {
    parentPort!.postMessage({ bytes: pending });
    pending = 0;
  }
});
parentPort!.postMessage({ bytes: pending, result });
