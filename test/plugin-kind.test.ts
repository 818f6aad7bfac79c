import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerKind, kinds, describeArtifact, artifactsOf } from '../src/kinds/index.ts';
import { lockEvidence } from '../src/evidence/schemas.ts';
import { lockStep, mirrorStep, bundleStep, verifyStep, importStep } from '../src/pipeline/steps.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { startServer } from '../src/serve/server.ts';
import { readEvidence } from '../src/evidence/read.ts';
import { sha256 } from '../src/util/hash.ts';
import { AirgapError } from '../src/util/errors.ts';
import { noteKind } from './fixtures/plugin-kind/index.ts';

/**
 * Issue 17's acceptance: adding a kind touches only its own directory and the registry of kinds.
 * The kind lives in test/fixtures/plugin-kind/ and is plugged in with registerKind; lock, mirror,
 * bundle, verify, import and serve drive it with no edit to src/.
 */
describe('a kind plugged in from outside src/', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    const i = kinds.indexOf(noteKind);
    if (i >= 0) kinds.splice(i, 1);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('goes through lock, mirror, bundle, verify, import and serve', async () => {
    registerKind(noteKind);
    expect(() => registerKind(noteKind)).toThrow(/already registered/);
    const dir = await mkdtemp(join(tmpdir(), 'airgap-plugin-kind-'));
    dirs.push(dir);
    const release = join(dir, 'release');
    await mkdir(release);
    await writeFile(join(release, 'factory.yaml'), 'version: 1.0.0\nnote:\n  - name: hello\n    text: "hello from a plugged-in kind\\n"\n');
    const o = { resultsDir: join(dir, 'results'), log: () => {} };
    const keys = await generateKeyPair(join(dir, 'keys'));

    const locked = await lockStep(release, o);
    expect(locked.lock.artifacts).toHaveLength(1);
    const text = 'hello from a plugged-in kind\n';
    // no describe(): the evidence's pin is the pinned root's digest, never blank
    const lockEvidence = await readEvidence(o.resultsDir, '1.0.0', 'lock');
    expect(lockEvidence?.artifacts[0]).toMatchObject({ id: 'note:hello', kind: 'note', pin: `sha256:${sha256(text)}` });

    const mirrored = await mirrorStep(release, join(dir, 'store'), o);
    expect(mirrored.artifacts[0]).toMatchObject({ id: 'note:hello', fetched: true });
    const bundled = await bundleStep({ releaseDir: release, storeRoot: join(dir, 'store'), outDir: join(dir, 'bundle'), volumeSize: 64 * 1024, keyPath: keys.secretPath }, o);
    expect(bundled.toc.artifacts.map((a) => a.id)).toEqual(['note:hello']);
    const verified = await verifyStep(join(dir, 'bundle'), [keys.publicPath], o);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);

    // the option the kind declares as needed: refused before anything is written, exit 2, no kind named by import
    const repo = join(dir, 'repo');
    const refused = await importStep(join(dir, 'bundle'), [keys.publicPath], repo, o).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AirgapError);
    expect(refused).toMatchObject({ exitCode: 2, message: expect.stringMatching(/no --note-stamp was given; nothing imported/) });

    const imported = await importStep(join(dir, 'bundle'), [keys.publicPath], repo, o, { 'note-stamp': 'ok' });
    expect(imported.artifacts).toEqual([expect.objectContaining({ id: 'note:hello', placed: ['notes/hello.txt'] })]);
    expect(JSON.parse(await readFile(join(repo, '.airgap', 'repositories.json'), 'utf8'))).toEqual({ notes: 'raw' });

    const served = await startServer(repo, { host: '127.0.0.1', port: 0 }, undefined, { pushDir: false });
    try {
      expect(await noteKind.probe!(locked.lock.artifacts[0] as never, { serverUrl: served.url, scratchDir: dir })).toMatch(/^GET \/repository\/notes\/hello\.txt → sha256 /);
      const index = await (await fetch(`${served.url}/`)).json();
      expect(index).toEqual({ repositories: [{ name: 'notes', format: 'raw', url: '/repository/notes/' }] });
    } finally {
      await served.close();
    }
  }, 60_000);

  it('artifactsOf gives a built-in kind\'s artifacts typed by it', () => {
    const git = { kind: 'git', id: 'git:a', name: 'a', version: 'main', url: 'http://x/a.git', ref: 'main', refName: 'refs/heads/main', commit: 'c'.repeat(40) };
    const got = artifactsOf([git, { kind: 'file', id: 'file:b', name: 'b', version: '1' }], 'git');
    expect(got.map((a) => a.commit)).toEqual(['c'.repeat(40)]);
  });

  it('a kind that names no pin fails lock evidence, which never takes a blank pin', () => {
    const pinless = { ...noteKind, name: 'pinless', pinnedRoot: () => undefined };
    registerKind(pinless);
    try {
      expect(() => describeArtifact({ kind: 'pinless', id: 'pinless:x', name: 'x', version: '1' })).toThrow(/names no pin/);
    } finally {
      kinds.splice(kinds.indexOf(pinless), 1);
    }
    const artifact = { id: 'a:b', kind: 'a', name: 'b', version: '1', pin: '', source: '' };
    const sha = 'a'.repeat(64);
    const evidence = { step: 'lock', version: '1.0.0', at: new Date().toISOString(), tool: 't', lockSha256: sha, manifestSha256: sha, created: new Date().toISOString(), artifacts: [artifact] };
    expect(lockEvidence.safeParse(evidence).success).toBe(false);
    expect(lockEvidence.safeParse({ ...evidence, artifacts: [{ ...artifact, pin: 'x' }] }).success).toBe(true);
  });
});
