import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Builder, BuildContext } from './builder.ts';
import { buildBaseImage } from './base-image.ts';
import { KEY_IN_IMAGE } from './rootfs.ts';
import { baseImageSpec, rootfsSpec } from './schema.ts';
import { kollaEntry, kollaHostTarget, KOLLA_HOST_PACKAGES, type KollaEntry } from '../generators/kolla.ts';
import { targetName } from '../kinds/pypi/resolve.ts';
import type { PypiLocked } from '../kinds/pypi/schema.ts';
import { run } from '../host/exec.ts';
import { planKollaBuild } from '../kolla/plan.ts';
import { RegistryClient } from '../oci/client.ts';
import { ensureTools, hasTool } from '../host/tools.ts';
import { sha256 } from '../util/hash.ts';
import { AirgapError, UsageError } from '../util/errors.ts';

/** run in the sandbox: a Docker engine of the build's own, then a command against it (tests use it too) */
export const ENGINE = join(import.meta.dirname, '../kolla/engine-in-sandbox.ts');
const PYTHON = '/usr/bin/python3';

function entryOf(ctx: BuildContext): KollaEntry {
  const entries = (ctx.lock.generators?.kolla ?? []).map((x) => kollaEntry.parse(x));
  if (!entries.length) throw new UsageError(`release ${ctx.lock.version}: the lock has no kolla entry`, 'add a `kolla:` entry to factory.yaml and lock again');
  const name = ctx.overrides.name;
  const e = name ? entries.find((x) => x.name === name) : entries.length === 1 ? entries[0] : undefined;
  if (!e) throw new UsageError(`release ${ctx.lock.version}: ${name ? `no kolla entry "${name}"` : 'more than one kolla entry'} (${entries.map((x) => x.name).join(', ')})`, 'name one with -o NAME');
  return e;
}

/**
 * How kolla-build runs here: from Kolla's source carried in the lock (git `kolla`, cloned from
 * the server at the locked commit, run with Debian's Python), else a kolla-build on PATH.
 */
async function kollaCommand(ctx: BuildContext, e: KollaEntry): Promise<{ argv: string[]; env: Record<string, string>; version: string }> {
  if (e.kolla && 'pip' in e.kolla) return kollaFromPypi(ctx, e, e.kolla.python);
  const src = ctx.lock.artifacts.find((a) => a.kind === 'git' && a.name === 'kolla') as { commit: string } | undefined;
  if (src) {
    ensureTools(KOLLA_HOST_PACKAGES.filter((p) => p.startsWith('python3-')));
    const dir = join(ctx.outDir, 'kolla-source');
    await rm(dir, { recursive: true, force: true });
    const url = `${ctx.serverUrl}/repository/git/kolla.git`;
    for (const argv of [['git', 'clone', '--quiet', '--no-checkout', '--', url, dir], ['git', '-C', dir, 'checkout', '--quiet', '--detach', src.commit]]) {
      if (await ctx.sandbox(argv, { label: 'kolla source' }) !== 0) throw new AirgapError(`kolla: ${argv.slice(0, 2).join(' ')} of ${url} failed`, { hint: 'is the bundle with git kolla imported and served?' });
    }
    ctx.input({ name: 'kolla (git)', digest: `git:${src.commit}`, ref: url });
    // pbr takes Kolla's version from git tags; the carried ref has none, so it must be told
    const version = e.kolla && 'version' in e.kolla ? e.kolla.version : undefined;
    if (!version) ctx.log('kolla: the entry names no kolla.version: Kolla reports 0.0.0 (the images\' kolla_version label)');
    return { argv: [PYTHON, '-m', 'kolla.cmd.build'], env: { PYTHONPATH: dir, PBR_VERSION: version ?? '0.0.0' }, version: src.commit };
  }
  if (hasTool('kolla-build')) return { argv: ['kolla-build'], env: {}, version: 'kolla-build on PATH' };
  throw new UsageError(`release ${ctx.lock.version}: the lock carries no Kolla source and no kolla-build is on PATH`, 'add kolla: { url, ref } to the kolla entry and lock again, or install kolla-build');
}

/**
 * Kolla as Python packages: the lock's files for the build host's target (exactly Kolla's
 * closure, resolved in Env A) installed with --no-deps into a venv of Debian's Python, from the
 * served index and nothing else, in the sandbox; kolla-build is the venv's.
 */
async function kollaFromPypi(ctx: BuildContext, e: KollaEntry, python: string): Promise<{ argv: string[]; env: Record<string, string>; version: string }> {
  const host = targetName({ ...kollaHostTarget(python), implementation: 'cp' });
  const files = ctx.lock.artifacts.filter((a) => a.kind === 'pypi' && (a as unknown as PypiLocked).targets.includes(host)) as unknown as PypiLocked[];
  const kolla = files.find((f) => f.name === 'kolla');
  if (!kolla) throw new AirgapError(`kolla ${e.name}: the lock carries no Python package kolla for the build host (${host})`, { hint: 'lock the release again: kolla: { pip: [...] } adds Kolla and its dependencies' });
  ensureTools(['python3']);
  const have = (await run(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])).stdout.trim();
  if (have !== python) throw new AirgapError(`kolla ${e.name}: Kolla was locked for Python ${python}; this host's ${PYTHON} is ${have}`, { hint: `set kolla.python: "${have}" and lock again, or build on a host with Python ${python}` });
  const venv = join(ctx.outDir, 'kolla-venv');
  await rm(venv, { recursive: true, force: true });
  const index = `${ctx.serverUrl}/repository/pypi/simple/`;
  // only the served index: no pip configuration of the host, no find-links, no cache
  const env = { PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  for (const [label, argv] of [
    ['kolla venv', [PYTHON, '-m', 'venv', venv]],
    ['kolla pip install', [join(venv, 'bin/python'), '-m', 'pip', 'install', '--no-deps', '--only-binary=:all:', '--index-url', index, '--trusted-host', new URL(ctx.serverUrl).hostname, ...files.map((f) => `${f.name}==${f.version}`).sort()]],
  ] as const) {
    if (await ctx.sandbox([...argv], { label, env }) !== 0) throw new AirgapError(`kolla: ${label} failed (${files.length} locked files from ${index})`, { hint: 'the build log has pip\'s output; is the bundle imported and served?' });
  }
  for (const f of files) ctx.input({ name: `pypi ${f.filename}`, digest: `sha256:${f.sha256}`, ref: `${index}${f.name}/` });
  ctx.log(`kolla: Kolla ${kolla.version} and ${files.length - 1} dependencies installed from the served index into ${venv}`);
  return { argv: [join(venv, 'bin/kolla-build')], env: {}, version: kolla.version };
}

/**
 * Builder `kolla`: Kolla 2024.1 images from the bundle alone. The base image is built from the
 * served Debian repository and pushed; kolla-build then runs in the sandbox with its own Docker
 * engine there, reading only files rendered from the lock (every source pinned by sha256 or
 * commit, apt and pip at the served repositories), and pushes every image it builds. Each pushed
 * image is recorded with its digest, read back from the registry.
 */
export const kollaBuilder: Builder = {
  name: 'kolla',
  summary: 'Kolla 2024.1 images with kolla-build in the sandbox, pushed to the registry (base image included)',
  async run(ctx) {
    if (process.getuid?.() !== 0) throw new UsageError('airgap build kolla needs root: it starts a Docker engine inside the sandbox');
    const e = entryOf(ctx);
    if (!e.debian) throw new UsageError(`kolla ${e.name}: the lock carries no Debian packages for its images`, `add debian: { url, keyring } to kolla ${e.name} and lock again`);
    const offline = ctx.lock.artifacts.some((a) => a.kind === 'apt' && a.name === 'extrepo-offline-data');
    if (!offline) throw new AirgapError(`kolla ${e.name}: the lock has no extrepo-offline-data, which Kolla's base needs offline`, { hint: 'lock the release again: the kolla entry adds it' });
    ensureTools(['dockerd', 'git']);
    const kolla = await kollaCommand(ctx, e);

    const baseSpec = ctx.lock.build?.['base-image'] ?? baseImageSpec.parse({ name: 'debian:bookworm' });
    const rootfs = ctx.lock.build?.rootfs ?? rootfsSpec.parse({ repository: e.debian.repository, suite: e.debian.suite });
    const base = await buildBaseImage(ctx, rootfs, baseSpec);
    const [baseRepo, baseTag] = base.ref.split(/:(?=[^:/]+$)/);

    const confDir = join(ctx.outDir, 'kolla');
    await mkdir(confDir, { recursive: true });
    const tag = ctx.lock.version.replace(/[^A-Za-z0-9_.-]/g, '-');
    const plan = planKollaBuild({ lock: ctx.lock, entry: e, serverUrl: ctx.serverUrl, registry: ctx.registry, baseImage: baseRepo, baseTag, aptKeyInImage: KEY_IN_IMAGE, confDir, workDir: join(ctx.outDir, 'kolla-work'), tag });
    ctx.log(`kolla: ${plan.images.length} images: ${plan.images.join(', ')}`);
    for (const [name, text] of Object.entries(plan.files)) {
      await writeFile(join(confDir, name), text);
      ctx.output({ name: `kolla/${name}`, digest: `sha256:${sha256(Buffer.from(text))}`, size: Buffer.byteLength(text) });
    }
    const engine = { dataRoot: join(ctx.outDir, 'docker'), execRoot: `/run/airgap-kolla-${process.pid}`, dockerdLog: join(ctx.outDir, 'dockerd.log'), command: [...kolla.argv, '--config-file', join(confDir, 'kolla-build.conf')], env: kolla.env };
    await writeFile(join(confDir, 'engine.json'), JSON.stringify(engine));
    // a summary left by an earlier build in this directory must not speak for this one
    await rm(join(confDir, 'summary.json'), { force: true });
    try {
      const code = await ctx.sandbox([process.execPath, ENGINE, join(confDir, 'engine.json')], { label: 'kolla-build' });
      const summary = JSON.parse(await readFile(join(confDir, 'summary.json'), 'utf8').catch(() => '{}')) as Record<string, { name: string }[] | undefined>;
      const registry = new RegistryClient(ctx.registry, { log: ctx.log, credentials: ctx.registryCredentials });
      for (const { name } of summary.built ?? []) {
        const digest = await registry.hasManifest(`kolla/${name}`, tag);
        if (!digest) throw new AirgapError(`kolla: ${name} was built but ${ctx.registry}/kolla/${name}:${tag} is not in the registry`);
        ctx.output({ name: `kolla/${name}`, digest, ref: `${ctx.registry}/kolla/${name}:${tag}` });
      }
      const failed = (summary.failed ?? []).map((x) => x.name);
      if (code !== 0 || failed.length) throw new AirgapError(`kolla-build exited with status ${code}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`, { hint: `the build log has kolla-build's output; the engine's log is ${engine.dockerdLog}` });
      const missing = plan.images.filter((n) => !(summary.built ?? []).some((b) => b.name === n));
      if (missing.length) throw new AirgapError(`kolla-build did not build ${missing.join(', ')}`);
    } finally {
      // layers of a build that is over: the registry keeps the images
      await rm(engine.dataRoot, { recursive: true, force: true }).catch(() => {});
    }
  },
};
