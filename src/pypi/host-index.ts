import { run } from '../host/exec.ts';

/** What the host's own pip is configured with, as far as choosing an index goes. */
export interface HostPipIndex {
  /** index-url (env, then [install], then [global]); undefined: pip's own default, so no --index-url at all */
  indexUrl?: string;
  /** cert, trusted-host: how pip reaches that index (a proxy's CA lives in the host's trust store) */
  cert?: string;
  trustedHosts: string[];
}

/**
 * Parse `pip config list` (`section.key='value'` lines; `:env:` are PIP_* variables). pip's own
 * precedence: environment over files, [install] over [global] for `pip install`. find-links and
 * extra-index-url are left out on purpose: the lock's pins come from one index.
 */
export function parsePipConfig(text: string): HostPipIndex {
  const v = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^.=\s]+)\.([a-z-]+)='(.*)'$/.exec(line.trim());
    if (m) v.set(`${m[1]}.${m[2]}`, m[3]);
  }
  const pick = (key: string) => v.get(`:env:.${key}`) ?? v.get(`install.${key}`) ?? v.get(`global.${key}`);
  const index = pick('index-url');
  return {
    ...(index ? { indexUrl: index } : {}),
    ...(pick('cert') ? { cert: pick('cert') } : {}),
    trustedHosts: (pick('trusted-host') ?? '').split(/\s+/).filter(Boolean),
  };
}

let memo: Promise<HostPipIndex> | undefined;

/**
 * The index this host's pip uses, the way the apt kind takes the host's Debian mirror: no index
 * host is written into the project. Asked once per process.
 */
export function hostPipIndex(): Promise<HostPipIndex> {
  memo ??= run('python3', ['-m', 'pip', 'config', 'list'], { timeoutMs: 60_000 }).then((r) => parsePipConfig(r.stdout), () => ({ trustedHosts: [] }));
  return memo;
}

/** pip's flags for an index: the one given, else the host's; none at all when pip's default applies. */
export async function indexFlags(index: string | undefined): Promise<string[]> {
  if (index) return ['--index-url', index];
  const h = await hostPipIndex();
  return [
    ...(h.indexUrl ? ['--index-url', h.indexUrl] : []),
    ...(h.cert ? ['--cert', h.cert] : []),
    ...h.trustedHosts.flatMap((t) => ['--trusted-host', t]),
  ];
}
