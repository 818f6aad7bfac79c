import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { workspace, airgap } from './helpers/workspace.ts';
import { scriptedServer } from './helpers/http.ts';
import { serveStatic } from './helpers/static-server.ts';
import { run } from '../src/host/exec.ts';
import { FormatError } from '../src/util/errors.ts';
import { parsePackages } from '../src/apt/closure.ts';
import { parseRelease } from '../src/apt/release.ts';
import { parseManifest } from '../src/oci/media.ts';

/**
 * Issue 17: a malformed upstream file is a named error (file and field, exit 1, a hint), not
 * "unexpected error, this is a bug". Through the real path: `airgap lock` against loopback
 * upstreams that serve a broken Packages paragraph (validly signed) and a broken OCI manifest.
 */
describe('a malformed upstream file is a FormatError naming the file and the field', () => {
  let dir: string;
  beforeAll(async () => { dir = await workspace('airgap-format-'); });

  async function lock(name: string, yaml: string, files: Record<string, string> = {}) {
    const rel = join(dir, name);
    await mkdir(rel, { recursive: true });
    for (const [f, text] of Object.entries(files)) await writeFile(join(rel, f), text);
    await writeFile(join(rel, 'factory.yaml'), `version: 1.0.0\n${yaml}`);
    return airgap(['lock', rel, '--results', join(dir, 'results')]);
  }

  it('a Packages paragraph with a line that is not a field, in a validly signed archive', async () => {
    const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'upstream' }], format: 'object' });
    const repo = join(dir, 'apt-repo');
    const bin = join(repo, 'dists/stable/main/binary-amd64');
    await mkdir(bin, { recursive: true });
    const packages = 'Package: hello\nVersion: 1.0\nthis line has no colon\nFilename: pool/hello_1.0_amd64.deb\n\n';
    await writeFile(join(bin, 'Packages'), packages);
    await writeFile(join(bin, 'Packages.gz'), gzipSync(packages));
    const release = (await run('apt-ftparchive', ['-o', 'APT::FTPArchive::Release::Suite=stable', '-o', 'APT::FTPArchive::Release::Components=main', '-o', 'APT::FTPArchive::Release::Architectures=amd64', 'release', '.'], { cwd: join(repo, 'dists/stable') })).stdout;
    await writeFile(join(repo, 'dists/stable/InRelease'), await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: release }), signingKeys: key.privateKey }));
    const up = await serveStatic(repo);
    const r = await lock('apt', `apt:\n  - { name: deb, url: "${up.url}", suites: [stable], packages: [hello], keyring: upstream.asc }\n`, { 'upstream.asc': key.publicKey.armor() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/dists\/stable\/main\/binary-amd64\/Packages.*: not a deb822 line: "this line has no colon"/);
    expect(r.stderr).toMatch(/→ the file is not in the format it should be/);
    expect(r.stderr).not.toMatch(/this is a bug/);
  }, 60_000);

  it('an OCI manifest that is not JSON, and one whose config is not a descriptor', async () => {
    const TYPE = 'application/vnd.oci.image.manifest.v1+json';
    const up = await scriptedServer({
      '/v2/': (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'),
      '/v2/broken/manifests/1.0': (_req, res) => void res.writeHead(200, { 'Content-Type': TYPE }).end('{"schemaVersion": 2, "config": '),
      '/v2/odd/manifests/1.0': (_req, res) => void res.writeHead(200, { 'Content-Type': TYPE }).end('{"schemaVersion": 2, "config": {"mediaType": "x", "digest": "md5:abc", "size": 1}, "layers": []}'),
    });
    const host = new URL(up.url).host;
    const broken = await lock('oci-broken', `oci:\n  - { name: broken, image: "${host}/broken:1.0" }\n`);
    expect(broken.code, broken.stderr).toBe(1);
    expect(broken.stderr).toMatch(/oci broken \(.*broken:1\.0\): manifest sha256:[0-9a-f]{64}: not JSON/);
    expect(broken.stderr).not.toMatch(/this is a bug/);
    const odd = await lock('oci-odd', `oci:\n  - { name: odd, image: "${host}/odd:1.0" }\n`);
    expect(odd.code, odd.stderr).toBe(1);
    expect(odd.stderr).toMatch(/manifest sha256:[0-9a-f]{64}: config: not a descriptor with a mediaType, a sha256 digest and a size/);
    expect(odd.stderr).not.toMatch(/this is a bug/);
  }, 60_000);

  it('the parsers themselves name file and field', () => {
    const e = (f: () => unknown) => { try { f(); } catch (err) { return err; } throw new Error('no error'); };
    const p = e(() => parsePackages('Package: a\nVersion: 1\n', 'origin', 'http://up/dists/s/main/binary-amd64/Packages'));
    expect(p).toBeInstanceOf(FormatError);
    expect(p).toMatchObject({ file: 'http://up/dists/s/main/binary-amd64/Packages', field: 'stanza a', exitCode: 1 });
    const dep = e(() => parsePackages('Package: a\nVersion: 1\nFilename: f\nSHA256: x\nDepends: b (>= \n', 'origin', 'Packages'));
    expect(dep).toMatchObject({ file: 'Packages', field: 'a Depends', message: expect.stringMatching(/unparsable relation/) });
    expect(e(() => parseRelease('', 'http://up/dists/s/InRelease'))).toMatchObject({ file: 'http://up/dists/s/InRelease', message: expect.stringMatching(/empty Release file/) });
    expect(e(() => parseManifest(Buffer.from('{"layers": {}}'), 'the manifest'))).toMatchObject({ file: 'the manifest', field: 'layers' });
  });
});
