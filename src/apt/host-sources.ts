import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paragraphs } from './deb822.ts';

/** One `deb` source of the host's own apt: where it points, and the keyring that signs it. */
export interface HostSource {
  uri: string;
  suites: string[];
  components: string[];
  signedBy?: string;
  /** the file it was read from, for messages */
  from: string;
}

/**
 * The host's apt sources (sources.list one-line style and sources.list.d/*.sources deb822), `deb`
 * only. Where the project needs a Debian mirror (test:live, the closure bench) it takes the one
 * the host already uses, so no mirror name is written into the project.
 */
export async function hostAptSources(etc = '/etc/apt'): Promise<HostSource[]> {
  const out: HostSource[] = [];
  const files = [join(etc, 'sources.list'), ...(await readdir(join(etc, 'sources.list.d')).catch(() => [] as string[])).sort().map((f) => join(etc, 'sources.list.d', f))];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (file.endsWith('.sources')) {
      for (const p of paragraphs(text)) {
        if (!(p.get('types') ?? '').split(/\s+/).includes('deb') || p.get('enabled') === 'no') continue;
        for (const uri of (p.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
          out.push({ uri: uri.replace(/\/+$/, ''), suites: (p.get('suites') ?? '').split(/\s+/).filter(Boolean), components: (p.get('components') ?? '').split(/\s+/).filter(Boolean), signedBy: p.get('signed-by'), from: file });
        }
      }
    } else if (file.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
        if (!m) continue;
        const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
        out.push({ uri: m[2].replace(/\/+$/, ''), suites: [m[3]], components: m[4].split(/\s+/).filter(Boolean), signedBy, from: file });
      }
    }
  }
  return out;
}

/** The host's Debian release codename (bookworm), from os-release. */
export async function hostCodename(): Promise<string | undefined> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^VERSION_CODENAME="?([a-z]+)"?$/m.exec(text)?.[1];
}

/** The first host source that carries `suite` with `component`. */
export async function hostSourceFor(suite: string, component = 'main'): Promise<HostSource | undefined> {
  return (await hostAptSources()).find((s) => s.suites.includes(suite) && s.components.includes(component));
}
