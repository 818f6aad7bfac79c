/**
 * Secret values out of text: the log as it streams, the audit line, the evidence. A secret is
 * also looked for as JSON and URL encoding would write it.
 */
export interface Masker {
  mask(text: string): string;
  /**
   * For a stream cut into chunks anywhere: gives out whole lines, holding back enough to see a
   * secret split across two chunks (and, past 64 KiB with no newline, cuts the line there).
   */
  stream(): { push(chunk: string): string; end(): string };
  /** the forms looked for, longest first */
  forms: string[];
}

export const MASK = '***';
const LINE_MAX = 64 << 10;

export function masker(secrets: string[]): Masker {
  const forms = [...new Set(secrets.filter((s) => s.length > 0).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]))].sort((a, b) => b.length - a.length);
  const mask = (text: string) => forms.reduce((t, s) => t.split(s).join(MASK), text);
  const hold = Math.max(0, ...forms.map((s) => s.length - 1));
  return {
    mask,
    forms,
    stream() {
      let pending = '';
      return {
        push(chunk) {
          pending = mask(pending + chunk);
          const safe = pending.length - hold;
          const line = pending.lastIndexOf('\n', safe - 1) + 1;
          const cut = line > 0 ? line : safe > LINE_MAX ? safe : 0;
          const out = pending.slice(0, cut);
          pending = pending.slice(cut);
          return out;
        },
        end() {
          const out = mask(pending);
          pending = '';
          return out;
        },
      };
    },
  };
}
