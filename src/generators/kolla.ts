import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Generator } from './generator.ts';
import { KOLLA_2024_1 } from '../kolla/options.ts';
import { IMAGES, aptOf, selectImages } from '../kolla/images.ts';
import { imagesRequirements } from '../kolla/pip-requirements.ts';
import { notCarried } from '../kolla/not-carried.ts';
import { openUrl } from '../net/open-url.ts';
import { run } from '../host/exec.ts';
import { fetchBytes } from '../apt/fetch-index.ts';
import { AirgapError, UsageError } from '../util/errors.ts';
import { urlBasename } from '../util/paths.ts';

export { selectImages };

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

export const kollaEntry = z.strictObject({
  name,
  release: z.literal('2024.1'),
  base: z.literal('debian'),
  /** Kolla's own selection: each is a regular expression searched in the image name (re.search), so `keystone` also picks keystone-fernet */
  images: z.array(z.string().min(1)).default([]),
  /** Kolla's profiles (infra, main, aux, default): their entries are added to `images`, as kolla-build --profile does */
  profiles: z.array(z.string().refine((p) => p in KOLLA_2024_1.profiles, { message: `a profile of Kolla 2024.1 (${Object.keys(KOLLA_2024_1.profiles).join(', ')})` })).default([]),
  architectures: z.array(z.enum(['amd64', 'arm64'])).default(['amd64']),
  /** where $tarballs_base points in Env A (Kolla's default is OpenStack's tarball site) */
  tarballsBase: z.string().url(),
  /** Kolla's openstack_branch for 2024.1 source tarballs */
  openstackBranch: z.string().default('unmaintained-2024.1'),
  /**
   * Debian's archive in Env A: every package the selected images install, what Kolla's base needs
   * offline (extrepo's offline data), a minbase system for the base image, and the build host's
   * own (Kolla's Python modules, docker.io) become one apt entry, served as `repository`/`suite`
   */
  debian: z.strictObject({
    url: z.string().min(1),
    suites: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)).min(1).default(['bookworm-updates', 'bookworm']),
    keyring: z.string().min(1),
    repository: name.default('debian'),
    suite: name.default('bookworm'),
    /** Debian's security archive (signed by the same keyring), merged into the same suite; the highest version of a name wins, as apt does */
    security: z.strictObject({
      url: z.string().min(1),
      suites: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)).min(1).default(['bookworm-security']),
    }).optional(),
  }).optional(),
  /**
   * Kolla's third-party apt repositories (its repos.yaml names: rabbitmq, erlang-26, grafana, …)
   * the selected images use, where each is in Env A; resolved in one closure with Debian's
   * packages and served inside the gap under its own name
   */
  repositories: z.record(name, z.strictObject({
    url: z.string().min(1),
    suite: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    component: z.string().regex(/^[a-z0-9-]+$/).default('main'),
    keyring: z.string().min(1),
    /** apt_preferences' Pin-Priority for it: above Debian's 500 by default, so its packages win whatever their version (adr/0021) */
    pinPriority: z.number().int().min(-32768).max(32767).optional(),
  })).default({}),
  /** the OpenStack backports Kolla enables with extrepo (Debian's osbpo archive for caracal) */
  openstackBackports: z.strictObject({
    url: z.string().min(1),
    suites: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)).min(1).default(['bookworm-caracal-backports', 'bookworm-caracal-backports-nochange']),
    keyring: z.string().min(1),
  }).optional(),
  /**
   * Kolla itself, so Env B runs kolla-build from the bundle: from its git repository (run with
   * Debian's Python modules), or as Python packages (`pip: ["kolla==18.*", "docker"]`), locked by
   * pip for the build host's Python and installed into a venv from the served index
   */
  kolla: z.union([
    z.strictObject({
      url: z.string().min(1),
      ref: z.string().min(1).default('unmaintained/2024.1'),
      /** the version Kolla reports (pbr reads it from git tags, which the carried ref does not bring): e.g. 18.8.1 */
      version: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
    }),
    z.strictObject({
      /** requirements as pip takes them; `docker` is added when missing (Kolla imports it without declaring it) */
      pip: z.array(z.string().min(1)).min(1),
      /** the index in Env A; absent: the host pip's own (pip config), else pip's default */
      index: z.string().min(1).optional(),
      /** the build host's Python (Debian bookworm's python3) */
      python: z.string().regex(/^3\.\d+$/).default('3.11'),
      sdists: z.boolean().default(false),
    }),
  ]).optional(),
  /**
   * Per-source overrides, Kolla's own `[<section>] type/location/reference`: `url` (fetched),
   * `local` (a tarball; a relative path is in the release directory), `git` (a repository and a
   * reference). Pinned at lock by sha256 (or commit), e.g. a service's released sdist instead of
   * the branch tarball
   */
  sources: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.strictObject({
    type: z.enum(['url', 'local', 'git']),
    location: z.string().min(1),
    reference: z.string().min(1).optional(),
  })).default({}),
  /**
   * the Python packages the images pip-install: every pin of the release's upper-constraints
   * (a path relative to the release directory, or a URL) plus `extra`, with their build
   * requirements (sdists), for the base image's Python (3.11 on bookworm)
   */
  python: z.strictObject({
    /** absent: the index the host's pip is configured with (pip config), else pip's default */
    index: z.string().min(1).optional(),
    constraints: z.string().min(1),
    extra: z.array(z.string().min(1)).default([]),
    sdists: z.boolean().default(true),
    /**
     * what is resolved with the constraints: `constraints`, every pin of the file (Kolla-toolbox's
     * way); `images`, what the selected images' Dockerfiles pip-install (their sources' projects
     * from their released sdists), resolved with the file as constraints
     */
    requirements: z.enum(['constraints', 'images']).default('constraints'),
  }).optional(),
});
export type KollaEntry = z.infer<typeof kollaEntry>;

/** The patterns kolla-build would match: the regexes and every entry of the named profiles (OR-ed, re.search). */
export function patternsOf(e: KollaEntry): string[] {
  const patterns = [...e.images, ...e.profiles.flatMap((p) => KOLLA_2024_1.profiles[p])];
  if (!patterns.length) throw new UsageError(`kolla ${e.name}: no images and no profiles: nothing to build`, 'add images: [regex, …] or profiles: [infra, …]');
  return patterns;
}

/** On the build host: what kolla-build imports (Kolla's requirements.txt and its unlisted imports), git, and the engine. */
export const KOLLA_HOST_PACKAGES = ['git', 'python3-pbr', 'python3-jinja2', 'python3-git', 'python3-oslo.config', 'python3-docker', 'python3-requests', 'python3-yaml', 'docker.io'];
/** On the build host when Kolla comes as Python packages: a venv to install them in, git (GitPython needs the binary at import), the engine. */
export const KOLLA_PIP_HOST_PACKAGES = ['git', 'python3-venv', 'docker.io'];
/** The pypi entry that carries Kolla itself (pip route) */
export const kollaPipEntryName = (e: { name: string }) => `kolla-${e.name}-kolla`;
/** Not in any Dockerfile, but what the offline template override installs: extrepo's data without the network */
export const KOLLA_OFFLINE_PACKAGES = ['extrepo-offline-data'];
/**
 * The Python that resolves the images' and Kolla's packages at lock: Debian bookworm's own
 * (3.11.2), the one in every image and on the build host, where the lock host has it, because
 * environment markers are evaluated by the resolving Python (redis 5.0.1 needs async-timeout only
 * where python_full_version <= "3.11.2"). Elsewhere python3 on PATH, with a word in the log.
 */
export const BOOKWORM_PYTHON = '/usr/bin/python3';
async function resolvingPython(log: (m: string) => void): Promise<string | undefined> {
  const v = await run(BOOKWORM_PYTHON, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']).then((r) => r.stdout.trim(), () => undefined);
  if (v === '3.11.2') return BOOKWORM_PYTHON;
  log(`lock: kolla: ${BOOKWORM_PYTHON} is ${v ?? 'missing'}, not bookworm's 3.11.2: environment markers are those of python3 on PATH`);
  return undefined;
}

/** The file entry of the release's upper-constraints, when declared by URL */
export const UPPER_CONSTRAINTS = 'kolla-upper-constraints';
/**
 * Kolla's third-party repositories (rabbitmq, erlang, grafana, …) win over Debian for the names
 * they carry, whatever the version: the images add them to get the vendor's build. An explicit
 * apt_preferences-style priority (above apt's 500), not list order (adr/0021).
 */
export const VENDOR_PIN_PRIORITY = 600;
/** Where the OpenStack backports are served inside the gap (one suite per upstream suite) */
export const OPENSTACK_BACKPORTS = 'openstack-backports';
/** manylinux tags a wheel for bookworm's glibc 2.36 may carry (pip takes them as given) */
export const PLATFORMS: Record<string, string[]> = {
  amd64: ['manylinux_2_36_x86_64', 'manylinux_2_28_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux2010_x86_64', 'manylinux1_x86_64'],
  arm64: ['manylinux_2_36_aarch64', 'manylinux_2_28_aarch64', 'manylinux_2_17_aarch64', 'manylinux2014_aarch64'],
};

/**
 * The pip target Kolla itself is locked for: the build host's Python, amd64. `linux_x86_64` comes
 * first so that the target's name differs from the images' target: the lock's pypi files that
 * name it are exactly Kolla's closure, which Env B installs with --no-deps.
 */
export function kollaHostTarget(python: string) {
  return { python, platforms: ['linux_x86_64', ...PLATFORMS.amd64] };
}

/** Is `section` one Kolla reads: a source, or a <source>-plugin-* / -additions-* section? */
export function isKollaSourceSection(section: string): boolean {
  return section in KOLLA_2024_1.sources || section.replace(/-(plugin|additions)-.+$/, '') in KOLLA_2024_1.sources;
}

/** A source's location with Kolla's variables filled in as kolla-build would. */
function location(section: string, e: KollaEntry, arch: string): string {
  const s = KOLLA_2024_1.sources[section] as { location: string; version?: string };
  // Kolla's debian_arch is Debian's own architecture name, which is ours too
  const vars: Record<string, string> = { tarballs_base: e.tarballsBase.replace(/\/+$/, ''), openstack_branch: e.openstackBranch, debian_arch: arch, version: s.version ?? '' };
  return s.location.replace(/\$\{?([a-z_]+)\}?/g, (m, v: string) => {
    if (!(v in vars) || vars[v] === '') throw new UsageError(`kolla: source [${section}]: ${m} in ${s.location} has no value`);
    return vars[v];
  });
}

/** The requirement lines of a constraints file (`name===version;marker`), read where lock runs. */
async function constraintLines(where: string, releaseDir: string): Promise<string[]> {
  const text = /^[a-z]+:\/\//.test(where)
    ? (await fetchBytes(where).catch((err) => { throw new AirgapError(`kolla: python.constraints ${where}: ${(err as Error).message}`); })).toString('utf8')
    : await readFile(resolve(releaseDir, where), 'utf8').catch(() => { throw new UsageError(`kolla: python.constraints ${where}: no such file in ${releaseDir}`); });
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/**
 * kolla → the other kinds. Every source of every selected image becomes a `file` (or `git`)
 * entry with Kolla's location; the images' Debian packages an `apt` entry; their Python packages
 * a `pypi` entry; Kolla itself a `git` entry. Lock pins each, so a selection whose inputs cannot
 * be fetched fails here, in Env A, naming the input, not hours later in Env B's kolla-build.
 */
export const kollaGenerator: Generator<KollaEntry> = {
  name: 'kolla',
  entry: kollaEntry as never,
  async expand(entries, ctx) {
    const out: Record<string, unknown[]> = { file: [], git: [], apt: [], pypi: [] };
    const seen = new Set<string>();
    for (const e of entries) {
      const packages = new Set<string>();
      const used = new Set<string>();
      let pip: string[] = [];
      const unknown = Object.keys(e.sources).filter((x) => !isKollaSourceSection(x));
      if (unknown.length) throw new UsageError(`kolla ${e.name}: sources ${unknown.join(', ')}: not a source section of Kolla ${KOLLA_2024_1.source.ref}`, 'name a section as kolla-build.conf does: the image\'s own (keystone-base) or <source>-plugin-<name>');
      for (const arch of e.architectures) {
        const images = selectImages(patternsOf(e), arch);
        ctx.log(`lock: kolla ${e.name} (${arch}): ${images.length} images: ${images.join(', ')}`);
        const missing = images.flatMap((i) => (aptOf(i).repositories ?? []).filter((r) => !e.repositories[r]).map((r) => `${i} needs "${r}"`));
        if (missing.length) throw new UsageError(`kolla ${e.name}: Kolla's third-party apt repositories are not declared: ${missing.join(', ')}`, `add each under kolla ${e.name} repositories: { <name>: { url, suite, component, keyring } }, or leave those images out`);
        for (const i of images) for (const r of aptOf(i).repositories ?? []) used.add(r);
        const cannot = notCarried(images);
        if (cannot.length) {
          // one message with everything this release cannot carry: the vendor repositories it names too, where they cannot be reached from here
          const unreachable = (await Promise.all([...used].sort().map(async (r) => {
            const d = e.repositories[r];
            const url = `${d.url.replace(/\/+$/, '')}/dists/${d.suite}/InRelease`;
            return openUrl(url).then(async (x) => { for await (const _ of x.body) break; return undefined; }, (err: Error) => `apt repository ${r}: ${err.message}`);
          }))).filter((x): x is string => !!x);
          throw new AirgapError(`kolla ${e.name}: the selection needs what the factory cannot carry yet: ${[...cannot, ...unreachable].join('; ')}`, { hint: 'leave those images out of this release (docs/lld/kolla.md lists what is not carried yet)' });
        }
        for (const i of images) for (const p of aptOf(i).packages ?? []) packages.add(p);
        pip = images.filter((i) => aptOf(i).pip);
        if (pip.length && !e.python) throw new UsageError(`kolla ${e.name}: images ${pip.join(', ')} run pip install, and the entry declares no Python packages`, `add python: { index, constraints } (the release's upper-constraints) to kolla ${e.name}`);
        for (const section of [...new Set(images.flatMap((i) => IMAGES.images[i].sources))].sort()) {
          const o = e.sources[section];
          if (o) {
            // the operator's choice, Kolla's semantics; pinned at lock like any file or git entry
            if (seen.has(`kolla-${section}`)) continue;
            seen.add(`kolla-${section}`);
            if (o.type === 'git') out.git.push({ name: `kolla-${section}`, url: o.location, ref: o.reference ?? 'HEAD' });
            else {
              const url = o.type === 'local' ? pathToFileURL(resolve(ctx.releaseDir, o.location)).href : o.location;
              if (o.type === 'local' && !/\.(tar(\.[a-z0-9]+)?|tgz|zip)$/.test(o.location)) throw new UsageError(`kolla ${e.name}: sources.${section}: ${o.location}: a local source must be a tarball here (one top-level directory, as Kolla's Dockerfiles expect)`);
              out.file.push({ name: `kolla-${section}`, url, path: `kolla/${section}/${urlBasename(url)}` });
            }
            continue;
          }
          const s = KOLLA_2024_1.sources[section] as { type: string; location: string; reference?: string };
          if (s.type === 'git') {
            if (!seen.has(section)) out.git.push({ name: `kolla-${section}`, url: s.location, ref: s.reference ?? 'HEAD' });
            seen.add(section);
            continue;
          }
          if (s.type !== 'url') throw new UsageError(`kolla: source [${section}] is of type ${s.type}, which cannot cross the gap`);
          const url = location(section, e, arch);
          const perArch = s.location.includes('debian_arch');
          const fileName = `kolla-${section}${perArch ? `-${arch}` : ''}`;
          if (seen.has(fileName)) continue;
          seen.add(fileName);
          out.file.push({ name: fileName, url, version: e.release, path: `kolla/${section}/${perArch ? `${arch}/` : ''}${urlBasename(url)}` });
        }
      }
      if (e.debian) {
        const wanted = [...packages, ...KOLLA_OFFLINE_PACKAGES, ...(!e.kolla ? [] : 'pip' in e.kolla ? KOLLA_PIP_HOST_PACKAGES : KOLLA_HOST_PACKAGES)];
        out.apt.push({
          name: `kolla-${e.name}-debian`, url: e.debian.url, suites: e.debian.suites, keyring: e.debian.keyring, architectures: e.architectures,
          // required + apt: what mmdebstrap's minbase takes, for the base image built from the same repository
          priorities: ['required'], packages: [...new Set(['apt', ...wanted])].sort(),
          as: { repository: e.debian.repository, suite: e.debian.suite },
          // one closure: a vendor's packages depend on Debian's. Debian's security archive and the
          // OpenStack backports at apt's default priority, as Kolla's images have them: the highest
          // version wins. Kolla's third-party repositories are preferred for what they have.
          also: [
            ...(e.debian.security ? [{ url: e.debian.security.url, suites: e.debian.security.suites, keyring: e.debian.keyring, as: { repository: e.debian.repository, suite: e.debian.suite } }] : []),
            ...[...used].sort().map((r) => ({ url: e.repositories[r].url, suites: [e.repositories[r].suite], components: [e.repositories[r].component], keyring: e.repositories[r].keyring, as: { repository: r, suite: e.repositories[r].suite }, pinPriority: e.repositories[r].pinPriority ?? VENDOR_PIN_PRIORITY })),
            ...(e.openstackBackports ? [{ url: e.openstackBackports.url, suites: e.openstackBackports.suites, keyring: e.openstackBackports.keyring, as: { repository: OPENSTACK_BACKPORTS } }] : []),
          ],
        });
      } else if (used.size || e.openstackBackports) {
        throw new UsageError(`kolla ${e.name}: apt repositories are declared but no debian: their packages depend on Debian's`, `add debian: { url, keyring } to kolla ${e.name}`);
      } else {
        ctx.log(`lock: kolla ${e.name}: no debian: the images' ${packages.size} Debian packages are not carried; Env B's build refuses to start without them`);
      }
      if (e.kolla && 'url' in e.kolla && !seen.has('kolla')) {
        seen.add('kolla');
        out.git.push({ name: 'kolla', url: e.kolla.url, ref: e.kolla.ref });
      }
      if (e.kolla && 'pip' in e.kolla) {
        // trap: Kolla 18 imports the docker SDK without declaring it
        const reqs = e.kolla.pip.some((r) => /^docker(\W|$)/i.test(r)) ? e.kolla.pip : [...e.kolla.pip, 'docker'];
        ctx.log(`lock: kolla ${e.name}: Kolla itself from Python packages (${reqs.join(' ')}) for the build host's Python ${e.kolla.python}`);
        const interpreter = await resolvingPython(ctx.log);
        out.pypi.push({ name: kollaPipEntryName(e), ...(interpreter ? { interpreter } : {}), ...(e.kolla.index ? { index: e.kolla.index } : {}), requirements: reqs, sdists: e.kolla.sdists, targets: [kollaHostTarget(e.kolla.python)] });
      }
      if (e.python && pip.length && e.python.requirements === 'images') {
        // the images' own pip installs, resolved together with the release's constraints
        const fileOf = (section: string) => {
          const f = out.file.find((x) => (x as { name: string }).name === `kolla-${section}`) as { url: string } | undefined;
          return f ? urlBasename(f.url) : undefined;
        };
        const { requirements, unknown } = imagesRequirements(pip, fileOf);
        if (unknown.length) throw new UsageError(`kolla ${e.name}: python.requirements images: the version of ${unknown.join(', ')} is not known at lock`, 'override each with its released sdist (sources: { <section>: { type: url, location: …/<project>-<version>.tar.gz } }), or use python.requirements: constraints');
        if (/^[a-z]+:\/\//.test(e.python.constraints)) out.file.push({ name: UPPER_CONSTRAINTS, url: e.python.constraints, version: e.release, path: `kolla/upper-constraints/${urlBasename(e.python.constraints)}` });
        ctx.log(`lock: kolla ${e.name}: ${requirements.length + e.python.extra.length} Python requirements of ${pip.length} images, with constraints ${e.python.constraints}`);
        const interpreter = await resolvingPython(ctx.log);
        out.pypi.push({
          name: `kolla-${e.name}-python`, ...(interpreter ? { interpreter } : {}), ...(e.python.index ? { index: e.python.index } : {}), requirements: [...requirements, ...e.python.extra], constraints: e.python.constraints, sdists: e.python.sdists,
          targets: e.architectures.map((a) => ({ python: '3.11', platforms: PLATFORMS[a] })),
        });
      } else if (e.python && pip.length) {
        const requirements = [...(await constraintLines(e.python.constraints, ctx.releaseDir)), ...e.python.extra];
        // the file itself too, when it has a URL: kolla-toolbox reads it from UPPER_CONSTRAINTS_FILE
        if (/^[a-z]+:\/\//.test(e.python.constraints)) out.file.push({ name: UPPER_CONSTRAINTS, url: e.python.constraints, version: e.release, path: `kolla/upper-constraints/${urlBasename(e.python.constraints)}` });
        ctx.log(`lock: kolla ${e.name}: ${requirements.length} Python requirements (constraints ${e.python.constraints}) for ${pip.length} images that pip install`);
        out.pypi.push({
          name: `kolla-${e.name}-python`, ...(e.python.index ? { index: e.python.index } : {}), requirements, sdists: e.python.sdists,
          targets: e.architectures.map((a) => ({ python: '3.11', platforms: PLATFORMS[a] })),
        });
      }
    }
    return out;
  },
};
