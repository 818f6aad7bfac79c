import { FormatError } from '../util/errors.ts';
/**
 * Deb822 paragraphs (Packages, Release, control files): `Field: value` lines, continuation lines
 * starting with a space or tab, paragraphs separated by blank lines. Field names are matched
 * case-insensitively, as apt does; values keep their continuation lines joined by "\n".
 */
export type Paragraph = Map<string, string>;

export function* paragraphs(text: string, file = 'deb822 text'): Generator<Paragraph> {
  let p: Paragraph = new Map();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (p.size) yield p;
      p = new Map();
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      p.set(last, `${p.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new FormatError(file, undefined, `not a deb822 line: "${line.slice(0, 80)}"`);
    last = line.slice(0, colon).toLowerCase();
    p.set(last, line.slice(colon + 1).trim());
  }
  if (p.size) yield p;
}
