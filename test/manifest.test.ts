import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../src/manifest/load.ts';

async function manifest(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
  await writeFile(join(dir, 'factory.yaml'), text);
  return dir;
}

describe('factory.yaml: validated with file:line errors', () => {
  it('accepts the demo shape and expands ${VARS}', async () => {
    const dir = await manifest('version: 1.0.0\nfile:\n  - name: a\n    url: ${BASE}/a-1.2.tar.gz\ngit:\n  - { name: g, url: "${BASE}/g.git", ref: main }\n');
    const { manifest: m } = await loadManifest(dir, { BASE: 'http://127.0.0.1:1' });
    expect((m.file as any)[0].url).toBe('http://127.0.0.1:1/a-1.2.tar.gz');
  });

  const cases: [string, string, RegExp][] = [
    ['an unknown field', 'version: 1.0.0\nfile:\n  - name: a\n    url: http://x/a\n    sha: abc\n', /factory\.yaml:3:\d+: file\.0: Unrecognized key: "sha"/],
    ['a bad sha256', 'version: 1.0.0\nfile:\n  - name: a\n    url: http://x/a\n    sha256: xyz\n', /factory\.yaml:5:\d+: file\.0\.sha256: a sha256 is 64 lowercase hex/],
    ['{arch} without arches', 'version: 1.0.0\nfile:\n  - name: a\n    url: http://x/a-{arch}\n', /factory\.yaml:3:\d+: file\.0\.arches: url has \{arch\}: list the arches/],
    ['a path that escapes', 'version: 1.0.0\nfile:\n  - name: a\n    url: http://x/a\n    path: ../../etc/passwd\n', /factory\.yaml:5:\d+: file\.0\.path: a relative path without \.\./],
    ['a missing version', 'file: []\n', /factory\.yaml:1:1: version: /],
    ['an unknown kind', 'version: 1.0.0\nrpm: []\n', /Unrecognized key: "rpm"/],
    ['a YAML syntax error', 'version: 1.0.0\nfile:\n  - name: [a\n', /factory\.yaml:\d+:\d+: /],
    ['an unset variable', 'version: 1.0.0\nfile:\n  - { name: a, url: "${NOPE}/a" }\n', /environment variable NOPE not set/],
    ['a git entry without ref', 'version: 1.0.0\ngit:\n  - { name: g, url: "http://x/g.git" }\n', /factory\.yaml:3:\d+: git\.0\.ref: /],
  ];
  for (const [what, text, error] of cases) {
    it(`refuses ${what}`, async () => {
      await expect(loadManifest(await manifest(text), {})).rejects.toThrow(error);
    });
  }
});
