import { posix } from 'node:path';

/**
 * Why a relative path from untrusted input (a declaration, a tar entry, a URL) is unsafe to join
 * under a root, or undefined when it is safe. One rule for every place that does this, so the
 * tar checks in verify, the raw repository and the server cannot drift apart.
 */
export function unsafePathReason(p: string): string | undefined {
  if (p.length === 0) return 'empty path';
  if (p.includes('\0')) return 'NUL byte in path';
  if (p.includes('\\')) return 'backslash in path';
  if (p.startsWith('/')) return 'absolute path';
  const parts = p.split('/');
  if (parts.some((s) => s === '..')) return 'path traversal (..)';
  if (parts.some((s) => s === '' || s === '.')) return 'empty or "." path segment';
  return undefined;
}

export function isSafeRelativePath(p: string): boolean {
  return unsafePathReason(p) === undefined;
}

/** The last path segment of a URL, without query or fragment. */
export function urlBasename(url: string): string {
  return posix.basename(new URL(url).pathname);
}
