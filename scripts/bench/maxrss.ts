// Preloaded (`node --import`) into an airgap child only when GNU time is not available: writes the
// process's peak RSS (KiB, getrusage ru_maxrss) and its CPU seconds (user, system) to
// $AIRGAP_BENCH_MAXRSS as the process exits, in the format of `time -f '%M %U %S'`.
import { writeFileSync } from 'node:fs';

const out = process.env.AIRGAP_BENCH_MAXRSS;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
  });
}
