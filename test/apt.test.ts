import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as openpgp from 'openpgp';
import { compareVersions } from '../src/apt/version.ts';
import { parseDepends } from '../src/apt/depends.ts';
import { parsePackages, resolveClosure } from '../src/apt/closure.ts';
import { verifyInRelease, readKeyring } from '../src/apt/release.ts';

describe('apt: Debian version order (dpkg)', () => {
  it.each([
    ['1.0~rc1', '1.0', -1], ['1.0', '1.0-0', 0], ['1:1.0', '2.0', 1], ['1.0-1', '1.0-2', -1],
    ['1.0a', '1.0', 1], ['1.0+b1', '1.0', 1], ['2.36-9+deb12u4', '2.36-9', 1], ['1.10', '1.9', 1],
    ['1.0~~', '1.0~', -1], ['0:1.2', '1.2', 0], ['1.2.3-1~bpo12+1', '1.2.3-1', -1],
  ])('%s vs %s → %i', (a, b, want) => expect(compareVersions(a as string, b as string)).toBe(want));

  it('agrees with dpkg --compare-versions on epochs, tildes, security revisions and digit runs', () => {
    const pairs = [
      ['2.36-9+deb12u7', '2.36-9+deb12u14'], ['7.88.1-10+deb12u12', '7.88.1-10+deb12u8'], ['1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2'],
      ['3.0.15-1~deb12u1', '3.0.17-1~deb12u2'], ['1:1.0', '2.0'], ['1:0', '0:9'], ['10:1', '9:99'], ['0:1.2', '1.2'], ['1:1.2.3', '1:1.2.3-0'],
      ['1.0~rc1', '1.0'], ['1.0~', '1.0'], ['1.0~~', '1.0~'], ['1.0~~a', '1.0~~'], ['~', '~~'], ['1.0-1', '1.0-1~'], ['1-2-3', '1-2-3~'],
      ['1.0', '1.0-0'], ['1.0a', '1.0+'], ['1.0+', '1.0.'], ['a', 'B'], ['1.0a', '1.0A'], ['1.2-3a', '1.2-3+'], ['abc', 'abc.'],
      ['1.001', '1.1'], ['1.0', '1.00'], ['0.0009', '0.001'], ['00001', '1'], ['1-1', '1-01'], ['2.0-1', '2.0-1+b1'],
      ['1.2.3-1~bpo12+1', '1.2.3-1'], ['1.2+dfsg-1', '1.2-1'], ['3.13.7-1', '3.13.7-1.1'], ['1.0.0~git20230101', '1.0.0'],
    ];
    const dpkg = (a: string, b: string) => ['lt', 'eq', 'gt'].findIndex((op) => spawnSync('dpkg', ['--compare-versions', a, op, b]).status === 0) - 1;
    expect(pairs.map(([a, b]) => `${a} ${b} ${compareVersions(a, b)}`)).toEqual(pairs.map(([a, b]) => `${a} ${b} ${dpkg(a, b)}`));
  });
});

describe('apt: relations', () => {
  it('parses alternatives, versions, :any and arch qualifiers', () => {
    expect(parseDepends('libc6 (>= 2.36), python3:any | python3-minimal, foo [amd64]')).toEqual([
      [{ name: 'libc6', op: '>=', version: '2.36' }],
      [{ name: 'python3', arch: 'any' }, { name: 'python3-minimal' }],
      [{ name: 'foo' }],
    ]);
  });
});

const stanza = (f: Record<string, string>) => Object.entries({ Filename: `pool/main/${f.Package}.deb`, SHA256: 'a'.repeat(64), Size: '10', Architecture: 'amd64', ...f }).map(([k, v]) => `${k}: ${v}`).join('\n');
const packages = (...s: Record<string, string>[]) => s.map(stanza).join('\n\n') + '\n';

describe('apt: dependency closure', () => {
  const main = parsePackages(packages(
    { Package: 'app', Version: '1.0', Depends: 'libfoo (>= 2) | libbar, mail-transport-agent, python3:any', 'Pre-Depends': 'dpkg' },
    { Package: 'libfoo', Version: '1.5' },
    { Package: 'libfoo', Version: '2.1', Depends: 'libc6' },
    { Package: 'libbar', Version: '9' },
    { Package: 'postfix', Version: '3.7', Provides: 'mail-transport-agent' },
    { Package: 'python3', Version: '3.11.2', Architecture: 'all' },
    { Package: 'libc6', Version: '2.36-9' },
    { Package: 'libc6', Version: '2.36-9', Architecture: 'arm64' },
    { Package: 'dpkg', Version: '1.21' },
  ), 'bookworm', 'Packages');
  const updates = parsePackages(packages({ Package: 'libc6', Version: '2.36-9+deb12u4' }), 'bookworm-updates', 'Packages');

  it('follows Pre-Depends and Depends, takes the first satisfiable alternative, Provides and arch all', () => {
    const got = resolveClosure(main, [{ name: 'app' }], 'amd64');
    expect(got.map((p) => `${p.name}=${p.version}`)).toEqual(['app=1.0', 'dpkg=1.21', 'libc6=2.36-9', 'libfoo=2.1', 'postfix=3.7', 'python3=3.11.2']);
  });

  it('apt\'s candidate: the highest version at equal priority, whichever source is listed first', () => {
    const security = parsePackages(packages({ Package: 'libc6', Version: '2.36-9+deb12u3' }), 'bookworm-security', 'Packages');
    for (const order of [[...updates, ...security, ...main], [...main, ...security, ...updates], [...security, ...main, ...updates]]) {
      expect(resolveClosure(order, [{ name: 'libc6' }], 'amd64').map((p) => `${p.name}=${p.version}@${p.origin}`)).toEqual(['libc6=2.36-9+deb12u4@bookworm-updates']);
    }
  });

  it('a higher pin priority wins whatever the version; a negative one is never the candidate', () => {
    const preferred = parsePackages(packages({ Package: 'libc6', Version: '2.36-9' }, { Package: 'libfoo', Version: '1.0' }), 'vendor', 'Packages', 600);
    expect(resolveClosure([...main, ...updates, ...preferred], [{ name: 'libc6' }], 'amd64').map((p) => `${p.version}@${p.origin}`)).toEqual(['2.36-9@vendor']);
    const never = parsePackages(packages({ Package: 'libc6', Version: '9.9' }), 'experimental', 'Packages', -1);
    expect(resolveClosure([...main, ...never], [{ name: 'libc6' }], 'amd64').map((p) => p.version)).toEqual(['2.36-9']);
    // a version pin beats priorities (apt-get install name=version)
    expect(resolveClosure([...main, ...updates, ...preferred], [{ name: 'libc6', op: '=', version: '2.36-9+deb12u4' }], 'amd64').map((p) => `${p.version}@${p.origin}`)).toEqual(['2.36-9+deb12u4@bookworm-updates']);
  });

  it('a versioned dependency the candidate does not satisfy fails, naming the package, the constraint, the candidate and who needs it (apt does not fall back)', () => {
    const app = parsePackages(packages({ Package: 'app', Version: '1.0', Depends: 'libfoo (>= 2)' }), 'bookworm', 'Packages');
    const vendor = parsePackages(packages({ Package: 'libfoo', Version: '1.0' }), 'vendor', 'Packages', 600);
    expect(() => resolveClosure([...main.filter((p) => p.name !== 'app'), ...app, ...vendor], [{ name: 'app' }], 'amd64'))
      .toThrow(/app 1.0: cannot satisfy "libfoo \(>= 2\)" for amd64: the candidate of libfoo is 1.0 \(vendor, pin priority 600\); 2.1 \(bookworm\) would satisfy it, but apt takes only the candidate/);
    // an alternative the candidate satisfies is taken instead, as apt does
    const alt = parsePackages(packages({ Package: 'app', Version: '1.0', Depends: 'libfoo (>= 2) | libbar' }), 'bookworm', 'Packages');
    expect(resolveClosure([...main.filter((p) => p.name !== 'app'), ...alt, ...vendor], [{ name: 'app' }], 'amd64').map((p) => p.name)).toEqual(['app', 'libbar']);
  });

  it('a virtual package is provided by the candidate of its provider only', () => {
    const virtual = parsePackages(packages({ Package: 'app', Version: '1', Depends: 'mail-transport-agent (>= 2)' }, { Package: 'postfix', Version: '3.7', Provides: 'mail-transport-agent' }), 'bookworm', 'Packages');
    expect(() => resolveClosure(virtual, [{ name: 'app' }], 'amd64')).toThrow(/app 1: cannot satisfy "mail-transport-agent \(>= 2\)" for amd64: mail-transport-agent is virtual, provided by postfix, but not by a candidate with a version that satisfies it/);
    const mta = parsePackages(packages(
      { Package: 'app', Version: '1', Depends: 'mail-transport-agent' },
      { Package: 'exim4', Version: '4.96-15', Provides: 'mail-transport-agent' },
      { Package: 'exim4', Version: '4.96-16' },
      { Package: 'postfix', Version: '3.7', Provides: 'mail-transport-agent' },
    ), 'bookworm', 'Packages');
    expect(resolveClosure(mta, [{ name: 'app' }], 'amd64').map((p) => `${p.name}=${p.version}`)).toEqual(['app=1', 'postfix=3.7']);
  });

  it('a wanted package with a version pins that name for the whole closure, wherever it is reached from', () => {
    // app asks for libfoo (>= 2) first; pinned to 1.5, that alternative is out and libbar is taken
    const got = resolveClosure(main, [{ name: 'app' }, { name: 'libfoo', op: '=', version: '1.5' }], 'amd64');
    expect(got.map((p) => `${p.name}=${p.version}`)).toEqual(['app=1.0', 'dpkg=1.21', 'libbar=9', 'libfoo=1.5', 'postfix=3.7', 'python3=3.11.2']);
    const older = resolveClosure([...main, ...updates], [{ name: 'libfoo' }, { name: 'libc6', op: '<<', version: '2.36-9+deb12u1' }], 'amd64');
    expect(older.map((p) => `${p.name}=${p.version}`)).toEqual(['libc6=2.36-9', 'libfoo=2.1']);
    expect(() => resolveClosure(main, [{ name: 'libfoo', op: '=', version: '3' }], 'amd64')).toThrow(/cannot satisfy "libfoo \(= 3\)" for amd64: libfoo is pinned to "libfoo \(= 3\)", which no version satisfies/);
  });

  it('an unsatisfiable dependency names who needs what', () => {
    const broken = parsePackages(packages({ Package: 'x', Version: '1', Depends: 'missing (>= 2) | alsomissing' }), 'bookworm', 'Packages');
    expect(() => resolveClosure(broken, [{ name: 'x' }], 'amd64')).toThrow(/x 1: cannot satisfy "missing \(>= 2\) \| alsomissing" for amd64/);
  });

  it('a stanza without SHA256 is refused with the file named', () => {
    expect(() => parsePackages('Package: y\nVersion: 1\nFilename: pool/y.deb\n', 'b', 'dists/b/main/binary-amd64/Packages')).toThrow(/dists\/b\/main\/binary-amd64\/Packages: stanza y lacks/);
  });
});

describe('apt: InRelease signatures (openpgp.js, no gpg)', () => {
  const release = (validUntil?: string) => [
    'Origin: Test', 'Suite: bookworm', 'Codename: bookworm', 'Date: Sat, 01 Jun 2024 00:00:00 UTC',
    ...(validUntil ? [`Valid-Until: ${validUntil}`] : []),
    'Architectures: amd64', 'Components: main', 'SHA256:',
    ` ${'b'.repeat(64)} 1234 main/binary-amd64/Packages`, ` ${'c'.repeat(64)} 567 main/binary-amd64/Packages.gz`, '',
  ].join('\n');
  const keypair = () => openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'repo', email: 'repo@test' }], format: 'object' });
  const sign = async (text: string, key: openpgp.PrivateKey) => openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: key });

  it('accepts the right key and reads the index list', async () => {
    const { privateKey, publicKey } = await keypair();
    const keyring = await readKeyring(publicKey.write());
    const r = await verifyInRelease(await sign(release(), privateKey), keyring, 'dists/bookworm/InRelease');
    expect(r.files.get('main/binary-amd64/Packages.gz')).toEqual({ sha256: 'c'.repeat(64), size: 567, path: 'main/binary-amd64/Packages.gz' });
    expect(await readKeyring(Buffer.from(publicKey.armor()))).toHaveLength(1);
  });

  it('refuses a signature by another key, naming the file', async () => {
    const { privateKey } = await keypair();
    const other = await keypair();
    await expect(verifyInRelease(await sign(release(), privateKey), [other.publicKey], 'dists/bookworm/InRelease'))
      .rejects.toThrow(/dists\/bookworm\/InRelease: signature not valid for the given keyring/);
  });

  it('refuses a Release altered after signing', async () => {
    const { privateKey, publicKey } = await keypair();
    const text = (await sign(release(), privateKey)).replace('1234 main/binary-amd64/Packages', '1235 main/binary-amd64/Packages');
    await expect(verifyInRelease(text, [publicKey], 'dists/bookworm/InRelease')).rejects.toThrow(/signature not valid/);
  });

  it('refuses a validly signed Release of another suite', async () => {
    const { privateKey, publicKey } = await keypair();
    await expect(verifyInRelease(await sign(release(), privateKey), [publicKey], 'dists/bookworm-security/InRelease', { suite: 'bookworm-security' }))
      .rejects.toThrow(/signed for suite bookworm \(codename bookworm\), not bookworm-security/);
  });

  it('refuses an expired Valid-Until unless told otherwise', async () => {
    const { privateKey, publicKey } = await keypair();
    const signed = await sign(release('Sat, 08 Jun 2024 00:00:00 UTC'), privateKey);
    await expect(verifyInRelease(signed, [publicKey], 'dists/bookworm-security/InRelease', { now: new Date('2024-07-01') })).rejects.toThrow(/expired \(Valid-Until 2024-06-08/);
    await expect(verifyInRelease(signed, [publicKey], 'x', { now: new Date('2024-07-01'), allowExpired: true })).resolves.toBeDefined();
  });
});
