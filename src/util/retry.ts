import { sleep } from './concurrency.ts';
import { AirgapError, FetchError } from './errors.ts';

export interface RetryOptions {
  retries?: number;
  /** first delay; doubles each time, with jitter */
  baseDelayMs?: number;
  onRetry?: (attempt: number, reason: string) => void;
}

/** Only failures that a later attempt can cure: server errors, throttling, dropped connections. */
export function isTransient(err: unknown): boolean {
  // git and other host tools: their own words for a dropped or refused connection
  if (err instanceof AirgapError && !(err instanceof FetchError)) {
    return /Connection (reset|refused|timed out)|returned error: (5\d\d|429)|RPC failed|early EOF|unexpected disconnect|Could not resolve host|Operation timed out|Failed to connect|Couldn't connect to server/i.test(err.message);
  }
  // a name that does not resolve now will not in the next seconds (EAI_AGAIN is the passing one)
  if (err instanceof FetchError) return err.code === 'ENOTFOUND' ? false : err.status === undefined || err.status >= 500 || err.status === 429 || err.status === 408;
  const code = (err as { code?: string; cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code ?? '')
    || (err instanceof TypeError && /fetch failed|terminated/.test(err.message));
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? Number(process.env.AIRGAP_RETRIES ?? 4);
  const base = opts.baseDelayMs ?? Number(process.env.AIRGAP_RETRY_DELAY_MS ?? 500);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= retries || !isTransient(err)) throw err;
      const delay = base * 2 ** attempt * (0.75 + Math.random() / 2);
      opts.onRetry?.(attempt + 1, (err as Error).message);
      await sleep(delay);
    }
  }
}
