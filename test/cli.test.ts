import { describe, it, expect, beforeAll } from 'vitest';
import { stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';
import { commands } from '../src/cli/main.ts';

describe('the command line', () => {
  let dir: string;
  beforeAll(async () => { dir = await workspace(); });

  it('with no command prints usage listing every verb, exit 2', async () => {
    const r = await airgap([]);
    expect(r.code).toBe(2);
    for (const c of commands) expect(r.stdout).toContain(`  ${c.name}`);
  });

  it('an unknown verb is exit 2 and says so', async () => {
    const r = await airgap(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });

  for (const c of commands) {
    it(`${c.name} --help shows its usage and every option, exit 0`, async () => {
      const r = await airgap([c.name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`airgap ${c.name} ${c.usage}`);
      for (const o of Object.keys(c.options)) expect(r.stdout).toContain(`--${o}`);
    });
  }

  it('an unknown option is exit 2 naming it', async () => {
    const r = await airgap(['lock', 'x', '--frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--frob/);
  });

  it('a missing argument is exit 2 with the usage line', async () => {
    const r = await airgap(['verify', join(dir, 'b')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trust is required/);
    expect(r.stderr).toMatch(/usage: airgap verify/);
  });

  it('keygen writes a 0600 secret key and refuses to overwrite it', async () => {
    const r = await airgap(['keygen', '--out', join(dir, 'k'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect((await stat(out.secretKey)).mode & 0o777).toBe(0o600);
    expect(out.keyId).toMatch(/^[0-9A-F]{16}$/);
    const again = await airgap(['keygen', '--out', join(dir, 'k')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; refusing to overwrite a key/);
    const pgp = await airgap(['keygen', '--openpgp', '--out', join(dir, 'k'), '--json']);
    expect(pgp.code, pgp.stderr).toBe(0);
    const o = JSON.parse(pgp.stdout);
    expect(Object.keys(o).sort()).toEqual(['fingerprint', 'kind', 'publicKey', 'secretKey']); // the same names as the minisign key's
    expect(o.kind).toBe('openpgp');
    expect((await stat(o.secretKey)).mode & 0o777).toBe(0o600);
  });

  it('bundle with an unreadable key stops before any work', async () => {
    const rel = join(dir, 'rel');
    await mkdir(rel);
    await writeFile(join(rel, 'factory.lock.json'), JSON.stringify({ lockVersion: 1, version: '1.0.0', created: '2026-01-01T00:00:00.000Z', manifestSha256: '0'.repeat(64), artifacts: [] }));
    const r = await airgap(['bundle', rel, '--out', join(dir, 'out'), '--key', join(dir, 'nope.key'), '--results', join(dir, 'results')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.key: cannot read signing key: ENOENT/);
    expect(await stat(join(dir, 'out')).catch(() => undefined)).toBeUndefined();
  });

  it('verify with a file that is not a public key is exit 2', async () => {
    await writeFile(join(dir, 'bad.pub'), 'hello\n');
    const r = await airgap(['verify', dir, '--trust', join(dir, 'bad.pub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a minisign public key/);
  });

  it('a bad --volume-size is exit 2 with an example', async () => {
    const r = await airgap(['bundle', dir, '--out', join(dir, 'o'), '--key', 'k', '--volume-size', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a size: "lots"[\s\S]*4G/);
  });
});
