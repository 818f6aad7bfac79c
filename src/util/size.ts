import { UsageError } from './errors.ts';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * "4G", "700M", "4.7GB", "1024" → bytes. Binary units, as dd and split use them. `max` is where
 * a size stops being a plan and becomes a typo (99999T is not a volume); `what` names the flag.
 */
export function parseSize(text: string, o: { what?: string; max?: number } = {}): number {
  const what = o.what ? `${o.what}: ` : '';
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what}not a size: "${text}"`, 'write it like 4G, 700M or 1048576');
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (bytes <= 0) throw new UsageError(`${what}size must be positive: "${text}"`, 'write it like 4G, 700M or 1048576');
  const max = Math.min(o.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (!(bytes <= max)) throw new UsageError(`${what}"${text}" is more than ${formatSize(max)}`, `write a size up to ${formatSize(max)}, like 4G or 25G`);
  return bytes;
}

/** Whether parseSize takes it: for parameter checks that must not throw. */
export function isSize(text: string): boolean {
  try {
    return parseSize(text) > 0;
  } catch {
    return false;
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
