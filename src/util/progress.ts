import { formatSize } from './size.ts';

/**
 * Progress for long work, on stderr, only when stderr is a TTY and not in CI: logs stay clean,
 * operators at a console still see that a 40 GB mirror is moving.
 */
export interface Progress {
  add(bytes: number): void;
  item(label: string): void;
  done(): void;
}

const enabled = () => Boolean(process.stderr.isTTY) && !process.env.CI;

export function progress(title: string, totalBytes?: number): Progress {
  if (!enabled()) return { add() {}, item() {}, done() {} };
  let bytes = 0;
  let label = '';
  let last = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 200) return;
    last = now;
    const pct = totalBytes ? ` ${((100 * bytes) / totalBytes).toFixed(1)}%` : '';
    const line = `${title}: ${formatSize(bytes)}${totalBytes ? ` / ${formatSize(totalBytes)}` : ''}${pct} ${label}`;
    process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
  };
  return {
    add(n) { bytes += n; draw(); },
    item(l) { label = l; draw(); },
    done() { draw(true); process.stderr.write('\n'); },
  };
}

/** A line for the operator on stderr (stdout is kept for --json and results). */
export function say(message: string): void {
  if (process.env.AIRGAP_QUIET) return;
  process.stderr.write(message + '\n');
}
