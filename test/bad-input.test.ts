import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workspace, airgap, spawnAirgap, type CliResult } from './helpers/workspace.ts';
import { onCleanup } from './helpers/cleanup.ts';
import { generateKeyPair } from '../src/trust/keys.ts';
import { mapLimit } from '../src/util/concurrency.ts';

/**
 * A hostile or careless operator's corpus (issue 15, "trust nothing you are handed"): every case
 * must end in exit 1 or 2 with what, where and what to do; never "this is a bug", never a stack
 * trace. One case per class of bad input and per flag that takes it. The count is asserted, so a
 * case dropped from the table shows.
 *
 * Unwritable, for root: permission bits do not stop root, so the corpus uses what does: a
 * read-only bind mount (EROFS), an immutable directory (chattr +i, EPERM), a file where a
 * directory is expected (ENOTDIR, EEXIST), and /proc (which answers ENOENT to any new name, and
 * on which Node's recursive mkdir spins forever).
 */
interface Case { class: string; args: string[]; names: RegExp; env?: NodeJS.ProcessEnv }

const sh = (cmd: string, ...args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
};

/** The CLI, killed if it runs on (serve with a bad --root used to start serving). */
function run(args: string[], env: NodeJS.ProcessEnv = {}, ms = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawnAirgap(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, stdout, stderr, signal }); });
  });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('bad input: exit 1 or 2 with what, where and what to do', () => {
  let cases: Case[];

  beforeAll(async () => {
    const dir = await workspace();
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory\n');
    const ro = join(dir, 'read-only');
    await mkdir(join(ro, 'release'), { recursive: true });
    const imm = join(dir, 'immutable');
    await mkdir(imm);
    const keys = await generateKeyPair(join(dir, 'keys'));
    const data = join(dir, 'a.bin');
    await writeFile(data, 'a\n');

    const release = async (name: string, yaml: string) => {
      const r = join(dir, name);
      await mkdir(r, { recursive: true });
      await writeFile(join(r, 'factory.yaml'), yaml);
      return r;
    };
    const fileEntry = (url: string) => `version: 1.0.0\nfile:\n  - { name: a, url: "${url}" }\n`;
    const good = await release('good', fileEntry(`file://${data}`));
    await writeFile(join(ro, 'release', 'factory.yaml'), fileEntry(`file://${data}`));
    const bomb = ['version: 1.0.0', 'l0: &l0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) bomb.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    const port = await closedPort();
    // pinned, so lock fetches nothing and mirror is the first to try the closed port
    const pinnedRefused = await release('pinned-refused', `version: 1.0.0\nfile:\n  - { name: a, url: "http://127.0.0.1:${port}/a.bin", sha256: "${'0'.repeat(64)}" }\n`);
    const locked = await airgap(['lock', pinnedRefused, '--results', join(dir, 'results')]);
    expect(locked.code, locked.stderr).toBe(0);
    // 2 MiB in the store, for a bundle onto a 1 MiB file system
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(2 << 20, 7));
    const big = await release('big', fileEntry(`file://${join(dir, 'big.bin')}`));
    for (const args of [['lock', big], ['mirror', big, '--store', join(dir, 'big-store')]]) {
      const r = await airgap([...args, '--results', join(dir, 'results')]);
      expect(r.code, r.stderr).toBe(0);
    }
    const small = join(dir, 'small');
    await mkdir(small);

    // mount and chattr after every file is in place; undone before the workspace is removed
    sh('mount', '--bind', ro, ro);
    onCleanup(() => sh('umount', ro));
    sh('mount', '-o', 'remount,bind,ro', ro);
    sh('chattr', '+i', imm);
    onCleanup(() => sh('chattr', '-i', imm));
    sh('mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small);
    onCleanup(() => sh('umount', small));

    const res = ['--results', join(dir, 'results')];
    const bundle = (...more: string[]) => ['bundle', good, '--key', keys.secretPath, '--store', join(dir, 'store'), '--out', join(dir, 'out'), ...res, ...more];
    const imp = (...more: string[]) => ['import', join(dir, 'no-bundle'), '--trust', keys.publicPath, '--to', join(dir, 'repo'), ...res, ...more];
    await mkdir(join(dir, 'store'));
    cases = [
      // an output directory that cannot be written, or a file where it should be
      { class: 'unwritable dir', args: bundle('--out', join(ro, 'bundle')), names: /--out .*read-only.*EROFS/ },
      { class: 'unwritable dir', args: bundle('--out', join(imm, 'bundle')), names: /--out .*immutable.*EPERM/ },
      { class: 'unwritable dir', args: bundle('--out', '/proc/airgap-bundle'), names: /--out \/proc\/airgap-bundle: cannot create anything in \/proc/ },
      { class: 'file for a dir', args: bundle('--out', file), names: /--out .*a-file is a file, not a directory/ },
      { class: 'file for a dir', args: bundle('--out', join(file, 'bundle')), names: /--out .*a-file is a file, not a directory/ },
      { class: 'file for a dir', args: bundle('--store', file), names: /--store .*a-file: not a directory/ },
      { class: 'unwritable dir', args: imp('--to', join(ro, 'repo')), names: /--to .*EROFS/ },
      { class: 'unwritable dir', args: imp('--to', '/proc/self/repo'), names: /--to \/proc\/self\/repo: cannot create anything/ },
      { class: 'file for a dir', args: imp('--to', file), names: /--to .*a-file is a file/ },
      { class: 'unwritable dir', args: ['mirror', good, '--store', join(ro, 'store'), ...res], names: /--store .*EROFS/ },
      { class: 'unwritable dir', args: ['mirror', good, '--store', join(imm, 'store'), ...res], names: /--store .*EPERM/ },
      { class: 'file for a dir', args: ['mirror', good, '--store', join(file, 'store'), ...res], names: /--store .*a-file is a file/ },
      { class: 'unwritable dir', args: ['lock', good, '--results', join(ro, 'results')], names: /--results .*EROFS/ },
      { class: 'unwritable dir', args: ['verify', join(dir, 'no-bundle'), '--trust', keys.publicPath, '--results', '/proc/results'], names: /--results \/proc\/results: cannot create anything/ },
      { class: 'file for a dir', args: ['lock', good, '--results', file], names: /--results .*a-file is a file/ },
      { class: 'file for a dir', args: ['lock', good], env: { AIRGAP_RESULTS: file }, names: /\$AIRGAP_RESULTS .*a-file is a file/ },
      { class: 'unwritable dir', args: ['demo', '--workspace', join(ro, 'demo'), ...res], names: /--workspace .*EROFS/ },
      { class: 'file for a dir', args: ['demo', '--workspace', join(file, 'demo'), ...res], names: /--workspace .*a-file is a file/ },
      { class: 'unwritable dir', args: ['keygen', '--out', imm], names: /--out .*immutable.*EPERM/ },
      { class: 'file for a dir', args: ['keygen', '--out', file], names: /--out .*a-file is a file/ },
      { class: 'file for a dir', args: ['build', 'disk-image', good, '--out', file, ...res], names: /--out .*a-file is a file/ },
      // a write that fails mid-command, on a path no flag names: the catch-all in main words it
      { class: 'fs error mid-run', args: ['lock', join(ro, 'release'), ...res], names: /read-only.*release: cannot write in it: read-only file system \(EROFS\)/ },
      // a disk that fills up mid-bundle: the failed write names no file; the volume's temporary does
      { class: 'disk full', args: ['bundle', big, '--key', keys.secretPath, '--store', join(dir, 'big-store'), '--out', join(small, 'b'), ...res], names: /small\/b: cannot write in it: no space left on the device \(ENOSPC\)/ },
      // URLs
      { class: 'invalid url', args: ['lock', await release('bad-url', fileEntry('ht!tp:/no where')), ...res], names: /factory\.yaml:3:\d+: file\.0\.url: "ht!tp:\/no where" is not a URL/ },
      { class: 'invalid url', args: ['lock', await release('bad-apt-url', 'version: 1.0.0\napt:\n  - { name: d, url: "debian mirror", suites: [x], packages: [p], keyring: k.asc }\n'), ...res], names: /apt\.0\.url: "debian mirror" is not a URL/ },
      { class: 'invalid url', args: ['lock', await release('bad-index', 'version: 1.0.0\npypi:\n  - { name: p, index: "gopher://x/", requirements: [a], targets: [{ python: "3.11", platforms: [x] }] }\n'), ...res], names: /pypi\.0\.index: "gopher:\/\/x\/": scheme gopher:/ },
      { class: 'invalid url', args: imp('--registry', 'http://bad host:5000'), names: /--registry: "http:\/\/bad host:5000" is not a URL/ },
      { class: 'invalid url', args: ['build', 'disk-image', good, '--registry', 'http://127.0.0.1:5000/v2', ...res], names: /--registry: "http:\/\/127\.0\.0\.1:5000\/v2" is not HOST:PORT/ },
      { class: 'invalid url', args: ['build', 'disk-image', good, '--server', 'localhost:8081', ...res], names: /--server: "localhost:8081": scheme localhost: is not one of http:, https:/ },
      { class: 'invalid url', args: ['preflight', '--server', 'localhost 8081'], names: /--server: "localhost 8081" is not a URL/ },
      // a YAML document whose aliases expand to 9^10 nodes
      { class: 'alias bomb', args: ['lock', await release('bomb', bomb.join('\n') + '\n'), ...res], names: /bomb\/factory\.yaml: .*alias/ },
      // sizes
      ...['0', '-1', '1e30', 'abc', '99999T', '0.1', ''].map((v) => ({ class: 'absurd size', args: bundle(`--volume-size=${v}`), names: new RegExp(`--volume-size: .*"${v.replace('.', '\\.')}"`) })),
      { class: 'absurd size', args: ['preflight', '--min-free', 'lots'], names: /--min-free: not a size: "lots"/ },
      // an upstream that is not there: the URL and the cause named
      { class: 'unreachable upstream', args: ['lock', await release('refused', fileEntry(`http://127.0.0.1:${port}/a.bin`)), ...res], names: new RegExp(`http://127\\.0\\.0\\.1:${port}/a\\.bin: cannot reach it: .*ECONNREFUSED`) },
      { class: 'unreachable upstream', args: ['mirror', pinnedRefused, '--store', join(dir, 'store'), ...res], names: new RegExp(`http://127\\.0\\.0\\.1:${port}/a\\.bin: cannot reach it: .*ECONNREFUSED`) },
      { class: 'unreachable upstream', args: ['lock', await release('no-host', fileEntry('http://upstream.invalid/a.bin')), ...res], names: /http:\/\/upstream\.invalid\/a\.bin: cannot reach it: no such host \(ENOTFOUND\)/ },
      // serve must not start on nothing
      { class: 'serve root', args: ['serve', '--root', join(dir, 'no-repo'), '--listen', '127.0.0.1:0'], names: /--root .*no-repo: no such directory/ },
      { class: 'serve root', args: ['serve', '--root', file, '--listen', '127.0.0.1:0'], names: /--root .*a-file: not a directory/ },
      // keygen --name is a file name, not a path
      ...['a/b/c', '../escape', '.', '.hidden', ''].map((n) => ({ class: 'key name', args: ['keygen', '--out', join(dir, 'k'), `--name=${n}`], names: n ? new RegExp(`--name "${n.replace(/\./g, '\\.')}" is not a plain file name`) : /--name "" is not a plain file name/ })),
    ];
  });

  it('every case: exit 1 or 2, no "this is a bug", no stack trace, names the flag or path, says what to do', async () => {
    expect(cases.length).toBe(49);
    expect(new Set(cases.map((c) => c.class)).size).toBe(10);
    const results = await mapLimit(cases, 2, async (c) => ({ c, r: await run(c.args, c.env) }));
    const bad = results.flatMap(({ c, r }) => {
      const why = [
        ...(r.code === 1 || r.code === 2 ? [] : [`exit ${r.code ?? r.signal}`]),
        ...(/this is a bug|unexpected error/.test(r.stderr) ? ['"this is a bug"'] : []),
        ...(/at .*\.(ts|js):\d+/.test(r.stderr) ? ['a stack trace'] : []),
        ...(c.names.test(r.stderr) ? [] : [`does not match ${c.names}`]),
        ...(/\n {2}→ \S/.test(r.stderr) ? [] : ['no hint (→ what to do)']),
      ];
      return why.length ? [`${c.class}: airgap ${c.args.join(' ')}: ${why.join(', ')}\n${r.stderr}`] : [];
    });
    expect(bad).toEqual([]);
  }, 600_000);
});
