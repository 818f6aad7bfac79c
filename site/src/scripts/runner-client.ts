/**
 * The page's side of the runner (airgap site serve): the token, kept for this tab only, and
 * calls that carry it in an Authorization header. Never a cookie, never a query string: another
 * site can make a browser send neither.
 */
export const TOKEN_KEY = 'airgap-runner-token';

export const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token()}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  return fetch(path, { ...init, headers, cache: 'no-store' });
}

/** 'runner' when this page is served by the runner and the token is good; 'stale' when the token is refused; else 'static'. */
export async function detect(): Promise<'runner' | 'stale' | 'static'> {
  if (!token()) return 'static';
  const res = await api('/api/health').catch(() => undefined);
  if (res?.status === 401) return 'stale';
  return res?.ok ? 'runner' : 'static';
}

/** Reads a run's log as it is written, chunk by chunk, until the run ends. */
export async function followLog(id: string, onText: (text: string) => void): Promise<void> {
  const res = await api(`/api/runs/${encodeURIComponent(id)}/log`);
  if (!res.ok || !res.body) throw new Error(`log of run ${id}: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(value);
  }
}

/** An element with text only: nothing from a run or a parameter is ever parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}
