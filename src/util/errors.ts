/**
 * Typed errors. Every failure the user can act on carries an exit code and a hint saying what to
 * do, so the CLI prints "what, where, what to do" instead of "unexpected error, this is a bug".
 * The exit codes mean the same in every verb (docs/lld/cli.md):
 *   1  the work ran and something failed: a check (signature, digest, verification), bad bytes
 *      from upstream or the media (FormatError), a remote that answered wrong, a failed build.
 *   2  the command could not run as given, before any work: bad usage (command line,
 *      declaration: UsageError), or a host that lacks what the verb needs: a tool, root, a free
 *      address (HostError). Fix the command or the host, and run it again.
 * Anything else that escapes is a bug (the CLI says so).
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

/**
 * The host lacks what the verb needs (a tool, root, a free address): exit 2 in every verb, build
 * included, before work that could not succeed.
 */
export class HostError extends AirgapError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: 2, hint });
  }
}

/**
 * A file that is not in its format: an upstream index, a manifest, a tar header, a wheel. It
 * names the file and the field, so "the mirror serves a broken Packages file" reads as such and
 * not as a bug here. Exit 1: the bytes are wrong, not the command.
 */
export class FormatError extends AirgapError {
  readonly file: string;
  readonly field?: string;
  constructor(file: string, field: string | undefined, detail: string, hint = 'the file is not in the format it should be: if it comes from upstream, the source is broken or is not what the declaration says it is') {
    // the field is not said twice when the detail already begins with it ("stanza y lacks SHA256")
    super(`${file}: ${field && !detail.startsWith(field) ? `${field}: ` : ''}${detail}`, { hint });
    this.file = file;
    this.field = field;
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
  /** the network error's code (ECONNREFUSED, ENOTFOUND…) when the remote was not reached */
  readonly code?: string;
  constructor(url: string, detail: string, status?: number, opts: { code?: string; cause?: unknown; hint?: string } = {}) {
    super(`${redactUrl(url)}: ${detail}`, { cause: opts.cause, hint: opts.hint });
    this.status = status;
    this.code = opts.code;
  }

  /**
   * fetch() rejects with a bare "fetch failed" and hides why in `cause`: name the URL and the
   * cause, so an operator reads "http://mirror:8080/x: connection refused (ECONNREFUSED)".
   */
  static unreached(url: string, err: unknown): FetchError {
    if (err instanceof FetchError) return err;
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const code = cause?.code ?? (err as { code?: string })?.code;
    const why = (code && NETWORK_REASONS[code]) ?? cause?.message ?? (err as Error)?.message ?? String(err);
    return new FetchError(url, `cannot reach it: ${why}${code ? ` (${code})` : ''}`, undefined, {
      code, cause: err, hint: 'check the URL, and that the server is up and reachable from here',
    });
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused, nothing listens there',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'name lookup failed for now',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted here',
};

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
