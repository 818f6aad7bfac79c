/**
 * A .minisig file read exactly as minisign's sig_load reads it (src/minisign.c, upstream 0.12):
 * four fgets() calls with minisign's buffer sizes, its trim(), its strict base64 decoder and its
 * is_printable() on the trusted comment. A looser reader (split on newlines, Node's base64 that
 * skips junk) accepts files `minisign -V` refuses, and then two verifiers disagree about one file.
 * Anything after the fourth line is ignored, as minisign ignores it.
 */
export interface MinisigFile {
  /** "ED" (BLAKE2b-512 prehashed) or "Ed" (legacy) */
  alg: string;
  keyId: Buffer;
  sig: Buffer;
  trustedComment: Buffer;
  globalSig: Buffer;
}

const COMMENT_PREFIX = Buffer.from('untrusted comment: ');
const TRUSTED_COMMENT_PREFIX = Buffer.from('trusted comment: ');
const COMMENTMAXBYTES = 1024;
const TRUSTEDCOMMENTMAXBYTES = 8192;
const b64MaxLen = (n: number) => Math.floor((n + 2) / 3) * 4 + 1;
const SIG_STRUCT = 74; // alg[2] ‖ keynum[8] ‖ sig[64]

/** C fgets(buf, size): up to size-1 bytes, through the first newline; then the C string (to NUL). */
function fgets(data: Buffer, pos: number, size: number): { line: Buffer; next: number } | undefined {
  if (pos >= data.length) return undefined;
  const nl = data.indexOf(0x0a, pos);
  const end = Math.min(nl === -1 ? data.length : nl + 1, pos + size - 1);
  const raw = data.subarray(pos, end);
  const nul = raw.indexOf(0);
  return { line: nul === -1 ? raw : raw.subarray(0, nul), next: end };
}

/** minisign's trim(): drop one "\n" then one "\r"; ok only when a newline was there and no "\r" is left. */
function trim(s: Buffer): { s: Buffer; ok: boolean } {
  let len = s.length;
  let ok = false;
  if (len > 0 && s[len - 1] === 0x0a) { len--; ok = true; }
  if (len > 0 && s[len - 1] === 0x0d) len--;
  const out = s.subarray(0, len);
  return { s: out, ok: ok && !out.includes(0x0d) };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** minisign's b64_to_bin: length a multiple of 4, the standard alphabet only, "=" only at the very end. */
export function strictBase64(s: Buffer): Buffer | undefined {
  const text = s.toString('latin1');
  if (text.length === 0 || text.length % 4 !== 0) return undefined;
  const body = text.replace(/={1,2}$/, '');
  if ([...body].some((c) => !ALPHABET.includes(c))) return undefined;
  if (text.length - body.length === 2 && body.length % 4 !== 2) return undefined;
  if (text.length - body.length === 1 && body.length % 4 !== 3) return undefined;
  return Buffer.from(text, 'base64');
}

/** is_printable(): valid UTF-8 without control characters (a tab is allowed). */
function isPrintable(s: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(s);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(text);
}

/** The parsed file, or why minisign would refuse to read it. */
export function parseMinisig(data: Buffer): MinisigFile | { error: string } {
  const comment = fgets(data, 0, COMMENTMAXBYTES);
  if (!comment) return { error: 'empty signature file' };
  const c = trim(comment.line);
  if (!c.ok) return { error: 'untrusted comment line too long, unterminated or with a carriage return inside' };
  if (!c.s.subarray(0, COMMENT_PREFIX.length).equals(COMMENT_PREFIX)) return { error: 'the first line does not start with "untrusted comment: "' };

  const sigLine = fgets(data, comment.next, b64MaxLen(SIG_STRUCT) + 2);
  if (!sigLine) return { error: 'no signature line' };
  const s = trim(sigLine.line);
  if (!s.ok) return { error: 'signature line too long, unterminated or with a carriage return inside' };

  const tcLine = fgets(data, sigLine.next, TRUSTEDCOMMENTMAXBYTES);
  if (!tcLine) return { error: 'no trusted comment' };
  if (!tcLine.line.subarray(0, TRUSTED_COMMENT_PREFIX.length).equals(TRUSTED_COMMENT_PREFIX)) return { error: 'the third line does not start with "trusted comment: "' };
  const tc = trim(tcLine.line.subarray(TRUSTED_COMMENT_PREFIX.length));
  if (!tc.ok) return { error: 'trusted comment too long, unterminated or with a carriage return inside' };
  if (!isPrintable(tc.s)) return { error: 'trusted comment has unprintable characters' };

  const globalLine = fgets(data, tcLine.next, b64MaxLen(64) + 2);
  if (!globalLine) return { error: 'no trusted comment signature line' };
  const g = trim(globalLine.line); // minisign ignores whether this last line ends in a newline

  const blob = strictBase64(s.s);
  if (!blob || blob.length !== SIG_STRUCT) return { error: 'the signature line is not base64 of a minisign signature' };
  const globalSig = strictBase64(g.s);
  if (!globalSig || globalSig.length !== 64) return { error: 'the trusted comment signature line is not base64 of a signature' };
  return { alg: blob.subarray(0, 2).toString('latin1'), keyId: blob.subarray(2, 10), sig: blob.subarray(10), trustedComment: Buffer.from(tc.s), globalSig };
}
