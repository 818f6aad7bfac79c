import { UsageError } from './errors.ts';

/**
 * URLs the user gives (a factory.yaml field, --server, --registry), checked where they are read
 * so that a typo is a usage error naming the field, not a TypeError from `new URL` deep in a
 * step that has already run for an hour.
 */
export const WEB = ['http:', 'https:'];

/** Why `text` is not a usable URL with one of `schemes`, or undefined when it is. */
export function urlProblem(text: string, schemes: string[]): string | undefined {
  if (!URL.canParse(text)) return `"${text}" is not a URL`;
  const u = new URL(text);
  if (!schemes.includes(u.protocol)) return `"${text}": scheme ${u.protocol} is not one of ${schemes.join(', ')}`;
  if (u.protocol !== 'file:' && !u.hostname) return `"${text}" names no host`;
  return undefined;
}

/** A user-given URL, or a UsageError naming where it came from (`--server`, `file.0.url`). */
export function parseUserUrl(text: string, what: string, schemes: string[] = WEB): URL {
  const problem = urlProblem(text, schemes);
  if (problem) throw new UsageError(`${what}: ${problem}`, `write it like ${schemes.includes('http:') ? 'http://127.0.0.1:8081' : `${schemes[0]}//…`}`);
  return new URL(text);
}

/** HOST:PORT (or a bare host), as registries are named: the host part of a URL and nothing else. */
export function parseHostPort(text: string, what: string): string {
  const u = URL.canParse(`http://${text}`) ? new URL(`http://${text}`) : undefined;
  if (!u || !u.hostname || !/^[^/?#@\s]+$/.test(text)) {
    throw new UsageError(`${what}: "${text}" is not HOST:PORT`, 'write it like 127.0.0.1:8081');
  }
  return text;
}
