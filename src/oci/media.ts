import { FormatError } from '../util/errors.ts';
/** The manifest media types a registry may answer with, OCI and Docker. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MANIFEST_TYPES = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST];
export const ACCEPT = MANIFEST_TYPES.join(', ');

export const isIndex = (mediaType: string) => mediaType === OCI_INDEX || mediaType === DOCKER_LIST;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  /** index entries (manifests) or config + layers (blobs) */
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/** The media type of manifest bytes: the header a registry sent, else the document's own field. */
export function manifestMediaType(bytes: Buffer, header?: string | null, where = 'manifest'): string {
  const h = header?.split(';')[0].trim();
  if (h && MANIFEST_TYPES.includes(h)) return h;
  const doc = parseJsonDoc(bytes, where) as { mediaType?: string; manifests?: unknown };
  return doc.mediaType ?? (doc.manifests ? OCI_INDEX : OCI_MANIFEST);
}

/**
 * Manifest or index bytes from a registry or the store: JSON, an object, and every descriptor it
 * lists has a mediaType, a sha256 digest and a size, or a FormatError names the manifest and the field.
 */
export function parseManifest(bytes: Buffer, where = 'manifest'): ParsedManifest {
  const doc = parseJsonDoc(bytes, where) as unknown as ParsedManifest;
  const check = (d: unknown, field: string) => {
    const x = d as Partial<Descriptor> | null;
    if (!x || typeof x !== 'object' || typeof x.mediaType !== 'string' || typeof x.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(x.digest) || typeof x.size !== 'number') {
      throw new FormatError(where, field, 'not a descriptor with a mediaType, a sha256 digest and a size');
    }
  };
  for (const field of ['manifests', 'layers'] as const) {
    if (doc[field] === undefined) continue;
    if (!Array.isArray(doc[field])) throw new FormatError(where, field, 'not a list');
    doc[field].forEach((d, i) => check(d, `${field}[${i}]`));
  }
  if (doc.config !== undefined) check(doc.config, 'config');
  return doc;
}

/** JSON bytes that must hold an object (a manifest, an index, a config). */
export function parseJsonDoc(bytes: Buffer, where: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new FormatError(where, undefined, `not JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new FormatError(where, undefined, 'not a JSON object');
  return doc as Record<string, unknown>;
}

/** Direct children a registry needs before it accepts this manifest. */
export function childrenOf(m: ParsedManifest): Descriptor[] {
  return m.manifests ?? [...(m.config ? [m.config] : []), ...(m.layers ?? [])];
}

export const platformString = (p?: Descriptor['platform']) => (p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : 'unknown');

/** "linux/arm64" matches linux/arm64 and linux/arm64/v8; "linux/arm/v7" only that variant. */
export function platformMatches(p: Descriptor['platform'], wanted: string): boolean {
  if (!p) return false;
  const [os, arch, variant] = wanted.split('/');
  return p.os === os && p.architecture === arch && (!variant || p.variant === variant);
}
