/** PEP 503 name normalisation. */
export const normalize = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

export interface IndexFile {
  project: string;
  version: string;
  filename: string;
  sha256: string;
  size?: number;
  requiresPython?: string;
  metadataSha256?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cmpVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * Pure: the simple index as static files, PEP 503 HTML and PEP 691 JSON side by side, with
 * hashes on every link, data-requires-python, and PEP 658/714 core metadata. Links are relative
 * (`../../packages/<file>`) so the tree works behind any server at any prefix.
 */
export function simpleIndex(files: IndexFile[]): Map<string, string> {
  const out = new Map<string, string>();
  const byProject = new Map<string, IndexFile[]>();
  for (const f of files) byProject.set(normalize(f.project), [...(byProject.get(normalize(f.project)) ?? []), f]);
  const projects = [...byProject.keys()].sort();
  const meta = '<meta name="pypi:repository-version" content="1.1">';
  out.set('simple/index.html', `<!DOCTYPE html>\n<html><head>${meta}<title>Simple index</title></head><body>\n${projects.map((p) => `<a href="${p}/">${p}</a><br>`).join('\n')}\n</body></html>\n`);
  out.set('simple/index.json', JSON.stringify({ meta: { 'api-version': '1.1' }, projects: projects.map((name) => ({ name })) }));
  for (const p of projects) {
    const list = byProject.get(p)!.sort((a, b) => cmpVersion(a.version, b.version) || (a.filename < b.filename ? -1 : 1));
    const links = list.map((f) => {
      const attrs = [`href="../../packages/${encodeURIComponent(f.filename)}#sha256=${f.sha256}"`];
      if (f.requiresPython) attrs.push(`data-requires-python="${esc(f.requiresPython)}"`);
      if (f.metadataSha256) attrs.push(`data-dist-info-metadata="sha256=${f.metadataSha256}"`, `data-core-metadata="sha256=${f.metadataSha256}"`);
      return `<a ${attrs.join(' ')}>${esc(f.filename)}</a><br>`;
    });
    out.set(`simple/${p}/index.html`, `<!DOCTYPE html>\n<html><head>${meta}<title>Links for ${p}</title></head><body>\n<h1>Links for ${p}</h1>\n${links.join('\n')}\n</body></html>\n`);
    out.set(`simple/${p}/index.json`, JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: p,
      versions: [...new Set(list.map((f) => f.version))],
      files: list.map((f) => ({
        filename: f.filename,
        url: `../../packages/${encodeURIComponent(f.filename)}`,
        hashes: { sha256: f.sha256 },
        ...(f.size !== undefined ? { size: f.size } : {}),
        ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
        // PEP 714's name only: pip 23.0 (Debian bookworm's, in every Kolla image's venv) reads the
        // older 'dist-info-metadata' as a string and fails on PEP 691's object (TypeError: unhashable type: 'dict')
        ...(f.metadataSha256 ? { 'core-metadata': { sha256: f.metadataSha256 } } : { 'core-metadata': false }),
      })),
    }));
  }
  return out;
}
