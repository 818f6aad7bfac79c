import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile, symlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { workspace, airgap } from './helpers/workspace.ts';
import { demoBundle, resign } from './helpers/bundle-fixture.ts';

/**
 * Volumes signed by the trusted key that still carry a hostile tar entry (a compromised or buggy
 * packager): verify must refuse them by the tar checks alone, and import must write nothing.
 */
describe('verify refuses unsafe tar entries even under a valid signature', () => {
  let dir: string;
  let b: Awaited<ReturnType<typeof demoBundle>>;
  let blobsDir: string;
  beforeAll(async () => {
    dir = await workspace();
    b = await demoBundle(dir);
    blobsDir = join(dir, 'extracted');
    await mkdir(blobsDir);
    execFileSync('tar', ['-xf', join(b.bundle, 'volume-0001.tar'), '-C', blobsDir]);
  });

  /** volume-0001 rebuilt by GNU tar: the real blobs, then `add` appends the hostile entry. */
  async function hostile(name: string, add: (vol: string, stage: string) => void, format = 'gnu') {
    const c = await b.copy();
    const stage = join(dir, `stage-${name}`);
    await mkdir(join(stage, 'sub'), { recursive: true });
    const vol = join(c, 'volume-0001.tar');
    const blobs = (await readdir(join(blobsDir, 'blobs/sha256'))).map((f) => `blobs/sha256/${f}`);
    execFileSync('tar', [`--format=${format}`, '-cf', vol, '-C', blobsDir, ...blobs]);
    add(vol, stage);
    await resign(c, b.keys.secretPath);
    return c;
  }

  async function refused(bundle: string, reason: RegExp) {
    const v = await airgap(['verify', bundle, '--trust', b.keys.publicPath, '--results', b.results]);
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(/signed by|OK|FAILED/);
    expect(v.stdout).toMatch(reason);
    const repo = join(dir, `repo-${Math.random().toString(36).slice(2)}`);
    const i = await airgap(['import', bundle, '--trust', b.keys.publicPath, '--to', repo, '--results', b.results]);
    expect(i.code).toBe(1);
    expect(await readdir(repo).catch(() => [])).toEqual([]);
  }

  it('the rebuilt volume without a hostile entry verifies (GNU tar output is accepted)', async () => {
    const c = await hostile('clean', () => {});
    const v = await airgap(['verify', c, '--trust', b.keys.publicPath, '--results', b.results]);
    expect(v.code, v.stdout).toBe(0);
  });

  it('an entry "../x" is refused as path traversal', async () => {
    const c = await hostile('dotdot', (vol, stage) => {
      execFileSync('sh', ['-c', 'echo owned > ../x', 'sh'], { cwd: join(stage, 'sub') });
      execFileSync('tar', ['-rPf', vol, '../x'], { cwd: join(stage, 'sub') });
    });
    await refused(c, /volume-0001\.tar: entry "\.\.\/x" .*path traversal/);
  });

  it('an absolute path is refused', async () => {
    const c = await hostile('abs', (vol, stage) => {
      execFileSync('sh', ['-c', 'echo owned > abs.txt'], { cwd: stage });
      execFileSync('tar', ['-rPf', vol, join(stage, 'abs.txt')]);
    });
    await refused(c, /entry "\/.*abs\.txt" .*absolute path/);
  });

  it('a symlink to /etc is refused', async () => {
    const c = await hostile('symlink', (vol, stage) => {
      execFileSync('ln', ['-s', '/etc', join(stage, 'etc-link')]);
      execFileSync('tar', ['-rf', vol, '-C', stage, 'etc-link']);
    });
    await refused(c, /entry "etc-link" .*symlink to "\/etc" \(links are not allowed\)/);
  });

  it('a hard link is refused', async () => {
    const c = await hostile('hardlink', (vol, stage) => {
      execFileSync('sh', ['-c', 'echo a > a && ln a b'], { cwd: stage });
      execFileSync('tar', ['-rf', vol, '-C', stage, 'a', 'b']);
    });
    await refused(c, /hardlink to "a"/);
  });

  it('a device node is refused', async () => {
    const c = await hostile('dev', (vol) => {
      execFileSync('tar', ['-rf', vol, '-C', '/', 'dev/null']);
    });
    await refused(c, /entry "dev\/null" .*chardev \(device nodes are not allowed\)/);
  });

  it('a duplicate entry is refused', async () => {
    const c = await hostile('dup', (vol) => {
      const first = execFileSync('tar', ['-tf', vol]).toString().split('\n')[0];
      execFileSync('tar', ['-rf', vol, '-C', blobsDir, first]);
    });
    await refused(c, /duplicate entry/);
  });

  it('a stray file the TOC does not list is refused', async () => {
    const c = await hostile('stray', (vol, stage) => {
      execFileSync('sh', ['-c', 'echo x > stray.txt'], { cwd: stage });
      execFileSync('tar', ['-rf', vol, '-C', stage, 'stray.txt']);
    });
    await refused(c, /entry "stray\.txt" .*not listed in the TOC/);
  });

  for (const format of ['gnu', 'posix'] as const) {
    it(`a traversal hidden in a long name (${format === 'gnu' ? 'GNU ././@LongLink' : 'pax path'} record) is refused`, async () => {
      const long = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
      const c = await hostile(`long-${format}`, (vol, stage) => {
        execFileSync('mkdir', ['-p', join(stage, long)]);
        execFileSync('sh', ['-c', 'echo x > f'], { cwd: join(stage, long) });
        execFileSync('tar', [`--format=${format}`, '-rPf', vol, `../${long}/f`], { cwd: join(stage, 'sub') });
      }, format);
      await refused(c, new RegExp(`entry "\\.\\./${long}/f" .*path traversal`));
    });
  }
});
