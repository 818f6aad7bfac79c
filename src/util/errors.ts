/**
 * Typed errors. Every failure the user can act on carries an exit code (1: a check failed,
 * 2: bad usage) and a hint saying what to do, so the CLI can print "what, where, what to do".
 */
export class AirgapError extends Error {
  readonly exitCode: 1 | 2;
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: 1 | 2; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? 1;
    this.hint = opts.hint;
  }
}

/** Bad command line or bad declaration: exit 2. */
export class UsageError extends AirgapError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 2, hint });
  }
}

/** Bytes that are not what a pin says they are. */
export class DigestMismatchError extends AirgapError {
  constructor(what: string, expected: string, actual: string) {
    super(`${what}: expected ${expected}, got ${actual}`, {
      hint: 'the source changed or was tampered with; re-lock only if the new bytes are trusted',
    });
  }
}

/** A path built from signed bundle content that would leave its root: nothing is written. */
export class UnsafePathError extends AirgapError {
  constructor(root: string, rel: string, why: string) {
    super(`refusing to write "${rel.replaceAll('\0', '\\0')}" under ${root}: ${why}`, {
      hint: 'the signed bundle names an unsafe path; do not import it, and report it to whoever signed it',
    });
  }
}

/** A remote answered with an error or could not be reached. */
export class FetchError extends AirgapError {
  readonly status?: number;
  constructor(url: string, detail: string, status?: number) {
    super(`${redactUrl(url)}: ${detail}`);
    this.status = status;
  }
}

/** Credentials never reach logs or evidence. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url;
  }
}
