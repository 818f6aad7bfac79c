import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../util/errors.ts';

/**
 * The runner's bearer token: 32 random bytes per start, or AIRGAP_RUNNER_TOKEN for automation.
 * It travels in the URL fragment (never sent to a server, never in a log or a Referer) and then
 * in an Authorization header; never a cookie, so no other site can make a browser send it.
 */
export const newToken = (): string => randomBytes(32).toString('base64url');

const TOKEN = /^[A-Za-z0-9._~-]{32,}$/;

/** AIRGAP_RUNNER_TOKEN when set: long enough to guess at no better than a fresh one, and safe in a URL and a header. */
export function tokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const t = env.AIRGAP_RUNNER_TOKEN;
  if (t === undefined || t === '') return undefined;
  if (!TOKEN.test(t)) throw new UsageError('AIRGAP_RUNNER_TOKEN: at least 32 characters of A-Z, a-z, 0-9, ".", "_", "~", "-"', 'e.g. export AIRGAP_RUNNER_TOKEN=$(openssl rand -hex 32), or leave it unset for a fresh one');
  return t;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export const sameToken = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));
