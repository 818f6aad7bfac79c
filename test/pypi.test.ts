import { onCleanup } from './helpers/cleanup.ts';
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, readFile, readdir, writeFile, copyFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { freePort } from './helpers/docker-registry.ts';
import { startServer, type RunningServer } from '../src/serve/server.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { run } from '../src/host/exec.ts';
import { sha256 } from '../src/util/hash.ts';

const PIP_ENV = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

describe('pypi: lock with real pip, mirror, and serve a PEP 503/691/658 index', () => {
  let dir: string;
  let upstream: string;
  let served: RunningServer;
  let lock: any;
  let simple: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;

  /** lock → mirror → bundle → verify → import, through the CLI */
  async function pipeline(release: string, store: string, bundle: string, repo: string) {
    for (const args of [
      ['lock', release], ['mirror', release, '--store', join(dir, store)],
      ['bundle', release, '--store', join(dir, store), '--out', join(dir, bundle), '--key', keys.secretPath],
      ['verify', join(dir, bundle), '--trust', keys.publicPath],
      ['import', join(dir, bundle), '--trust', keys.publicPath, '--to', join(dir, repo)],
    ]) {
      const r = await airgap([...args, '--results', join(dir, 'results')]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
  }

  /** A release of the two-platform python entry; `extra` are more lines of the entry. */
  async function pypiRelease(name: string, requirements: string[], extra: string[] = []): Promise<string> {
    const release = join(dir, name);
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'constraints.txt'), 'pkg-b==1.0\n');
    await writeFile(join(release, 'factory.yaml'), [
      'version: 1.0.0',
      'pypi:',
      '  - name: python',
      `    index: ${upstream}/simple/`,
      `    requirements: [${requirements.join(', ')}]`,
      '    constraints: constraints.txt',
      ...extra,
      '    targets:',
      '      - { python: "3.11", platforms: [manylinux2014_x86_64] }',
      '      - { python: "3.11", platforms: [manylinux2014_aarch64] }',
    ].join('\n') + '\n');
    return release;
  }

  const sdistRelease = (name: string, sdists: boolean) => pypiRelease(name, ['pkg-e', 'pkg-c'], [`    sdists: ${sdists}`]);

  beforeAll(async () => {
    dir = await workspace('airgap-pypi-');
    const up = join(dir, 'upstream');
    await run('python3', [join(import.meta.dirname, 'fixtures/make-wheels.py'), up]);
    // The upstream index: Python's own static server over a PEP 503 tree.
    const port = await freePort();
    const http = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '--directory', up], { stdio: 'ignore' });
    onCleanup(() => { if (http.exitCode === null) http.kill('SIGTERM'); });
    upstream = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && !(await fetch(`${upstream}/simple/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));

    const release = await pypiRelease('release', ['pkg-a', 'pkg-c', 'pkg-d']);
    keys = await generateKeyPair(join(dir, 'keys'));
    await pipeline(release, 'store', 'bundle', 'repo');
    lock = JSON.parse(await readFile(join(release, 'factory.lock.json'), 'utf8'));
    served = await startServer(join(dir, 'repo'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => served.close());
    simple = `${served.url}/repository/pypi/simple`;
  }, 180_000);

  it('pip resolved each target: constraints held, requires-python honoured, one wheel per platform', () => {
    const files = lock.artifacts.map((a: any) => a.filename).sort();
    expect(files).toEqual([
      'pkg_a-1.0-py3-none-any.whl', 'pkg_b-1.0-py3-none-any.whl',
      'pkg_c-1.0-cp311-cp311-manylinux2014_aarch64.whl', 'pkg_c-1.0-cp311-cp311-manylinux2014_x86_64.whl',
      'pkg_d-0.9-py3-none-any.whl',
    ]);
    const a = lock.artifacts.find((x: any) => x.name === 'pkg-a');
    expect(a.targets).toEqual(['cp3.11-manylinux2014_x86_64', 'cp3.11-manylinux2014_aarch64']);
    expect(a.requiresPython).toBe('>=3.8');
  });

  it('a fresh venv installs exactly the pinned versions from the served index, and nothing else', async () => {
    const venv = join(dir, 'venv');
    await run('python3', ['-m', 'venv', venv]);
    await run(join(venv, 'bin/pip'), ['install', '--quiet', '--index-url', `${simple}/`, 'pkg-a'], { env: PIP_ENV });
    const freeze = (await run(join(venv, 'bin/pip'), ['freeze'], { env: PIP_ENV })).stdout;
    expect(freeze).toMatch(/pkg-a==1\.0/);
    expect(freeze).toMatch(/pkg-b==1\.0/);
    await expect(run(join(venv, 'bin/pip'), ['install', '--quiet', '--index-url', `${simple}/`, 'pkg-b==2.0'], { env: PIP_ENV })).rejects.toThrow(/No matching distribution found for pkg-b==2\.0/);
  });

  for (const [platform, other] of [['manylinux2014_x86_64', 'aarch64'], ['manylinux2014_aarch64', 'x86_64']]) {
    it(`pip download for ${platform} gets that wheel from the served index`, async () => {
      const out = join(dir, `dl-${platform}`);
      await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--platform', platform, '--python-version', '3.11', '--implementation', 'cp', '--index-url', `${simple}/`, '-d', out, 'pkg-c'], { env: PIP_ENV });
      const got = await readdir(out);
      expect(got).toEqual([`pkg_c-1.0-cp311-cp311-${platform}.whl`]);
      expect(got[0]).not.toContain(other);
    });
  }

  it('serves PEP 691 JSON and PEP 503 HTML for the same URL, with hashes, requires-python and PEP 658 metadata', async () => {
    const json = await (await fetch(`${simple}/pkg-a/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } })).json();
    const f = json.files[0];
    expect(f.filename).toBe('pkg_a-1.0-py3-none-any.whl');
    expect(f.hashes.sha256).toBe(lock.artifacts.find((x: any) => x.name === 'pkg-a').sha256);
    expect(f['requires-python']).toBe('>=3.8');
    const html = await (await fetch(`${simple}/pkg-a/`)).text();
    expect(html).toMatch(/href="\.\.\/\.\.\/packages\/pkg_a-1\.0-py3-none-any\.whl#sha256=[0-9a-f]{64}" data-requires-python="&gt;=3\.8" data-dist-info-metadata="sha256=[0-9a-f]{64}" data-core-metadata="sha256=[0-9a-f]{64}"/);
    const meta = Buffer.from(await (await fetch(`${served.url}/repository/pypi/packages/pkg_a-1.0-py3-none-any.whl.metadata`)).arrayBuffer());
    expect(meta.toString()).toMatch(/Requires-Dist: pkg-b>=1\.0/);
    expect(sha256(meta)).toBe(f['core-metadata'].sha256);
    expect((await fetch(`${served.url}/repository/pypi/.files/pkg_a-1.0-py3-none-any.whl.json`)).status).toBe(404);
  });

  it('the index is static files too: any web server can serve the imported tree', async () => {
    const tree = join(dir, 'repo/pypi');
    expect((await readdir(join(tree, 'simple'))).sort()).toEqual(['index.html', 'index.json', 'pkg-a', 'pkg-b', 'pkg-c', 'pkg-d']);
  });

  it('a file whose bytes differ from the pinned hash is refused at mirror, naming the file', async () => {
    const release = join(dir, 'release');
    const target = join(dir, 'upstream/files/pkg_b-1.0-py3-none-any.whl');
    await copyFile(target, `${target}.good`);
    await copyFile(join(dir, 'upstream/files/pkg_b-2.0-py3-none-any.whl'), target);
    const r = await airgap(['mirror', release, '--store', join(dir, 'store-2'), '--results', join(dir, 'results')]);
    await copyFile(`${target}.good`, target); // later tests use the upstream too
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pypi:pkg_b-1\.0-py3-none-any\.whl \(http:\/\/127\.0\.0\.1:\d+\/files\/pkg_b-1\.0-py3-none-any\.whl\): expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/);
  });

  it('sdists: true locks the sdist, the build backend it names and each target\'s wheels; pip builds it inside the gap', async () => {
    await pipeline(await sdistRelease('release-sdists', true), 'store-sdists', 'bundle-sdists', 'repo-sdists');
    const l = JSON.parse(await readFile(join(dir, 'release-sdists/factory.lock.json'), 'utf8'));
    const files = Object.fromEntries(l.artifacts.map((a: any) => [a.filename, a.targets]));
    const both = ['cp3.11-manylinux2014_x86_64', 'cp3.11-manylinux2014_aarch64'];
    expect(files).toEqual({
      'pkg_e-1.0.tar.gz': both,
      'pkg_b-1.0-py3-none-any.whl': both,
      'tiny_backend-1.0-py3-none-any.whl': both,
      'pkg_c-1.0-cp311-cp311-manylinux2014_x86_64.whl': [both[0]],
      'pkg_c-1.0-cp311-cp311-manylinux2014_aarch64.whl': [both[1]],
    });
    const s2 = await startServer(join(dir, 'repo-sdists'), { host: '127.0.0.1', port: 0 });
    onCleanup(() => s2.close());
    const venv = join(dir, 'venv-sdists');
    await run('python3', ['-m', 'venv', venv]);
    // pip builds pkg-e in an isolated environment whose tiny-backend comes from our index, or nowhere
    await run(join(venv, 'bin/pip'), ['install', '--quiet', '--index-url', `${s2.url}/repository/pypi/simple/`, 'pkg-e'], { env: PIP_ENV });
    const out = (await run(join(venv, 'bin/python'), ['-c', 'import pkg_e, pkg_b; print(pkg_e.FROM_SDIST, pkg_b.VERSION)'])).stdout.trim();
    expect(out).toBe('True 1.0');
  });

  it('without sdists: true, a requirement that has only an sdist is refused at lock, naming it', async () => {
    const release = await sdistRelease('release-no-sdists', false);
    const r = await airgap(['lock', release, '--results', join(dir, 'results')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pypi python \(cp3\.11-manylinux2014_x86_64\): pip could not resolve: .*pkg-e/);
    expect(r.stderr).toMatch(/sdists: true/);
  });
});
