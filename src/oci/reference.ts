import { UsageError } from '../util/errors.ts';
import { isLoopback } from '../util/loopback.ts';

/** An image reference split the way the distribution API needs it. */
export interface ImageRef {
  /** host[:port] as written (docker.io for Docker Hub) */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * `host[:port]/path/name[:tag][@sha256:…]`. A first component without a dot, a colon or "localhost"
 * is Docker Hub (docker.io, library/ for single names), as docker itself reads it.
 */
export function parseImageRef(text: string): ImageRef {
  const bad = (why: string) => new UsageError(`image "${text}": ${why}`, 'write it like registry.example:5000/team/app:1.0 or …/app@sha256:<hex>');
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('the digest must be sha256:<64 hex>');
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw bad(`"${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) registry = parts.shift()!;
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const p of parts) if (!COMPONENT.test(p)) throw bad(`"${p}" is not a valid repository path component`);
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: parts.join('/'), tag, digest };
}

export function formatRef(r: ImageRef): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/**
 * Where the API lives. Docker Hub's API host differs from its name; loopback registries and those
 * named in AIRGAP_INSECURE_REGISTRIES speak plain HTTP (as docker treats localhost).
 */
export function registryBaseUrl(registry: string, opts: { insecure?: boolean } = {}): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const insecure = opts.insecure || isLoopback(host)
    || (process.env.AIRGAP_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).includes(registry);
  return `${insecure ? 'http' : 'https'}://${registry}`;
}
