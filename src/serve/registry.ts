import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store.ts';
import { IMPORTED, readIndex, REF_NAME, resolveRef, tagRef } from '../oci/layout.ts';
import { childrenOf, manifestMediaType, MANIFEST_TYPES, parseManifest } from '../oci/media.ts';
import { sha256 } from '../util/hash.ts';
import { DigestMismatchError } from '../util/errors.ts';
import type { Upload, Uploads } from './uploads.ts';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_MANIFEST = 4 << 20;
/** where clients fetch a token (the distribution token spec): /v2/token, named absolutely */
export const TOKEN_PATH = '/v2/token';
export const SERVICE = 'airgap serve';

/**
 * What a client reads on a 401 to know how to log in. Bearer, not Basic: docker, challenged with
 * Basic and holding no credentials, will not even pull (battle log 2026-12-08, "docker on 401");
 * challenged with Bearer it fetches an anonymous token and pulls, and with credentials it gets the
 * push token.
 */
function challenge(req: IncomingMessage, scope?: string): string {
  return `Bearer realm="http://${req.headers.host ?? 'localhost'}${TOKEN_PATH}",service="${SERVICE}"${scope ? `,scope="${scope}"` : ''}`;
}

/** The distribution spec's error body: {"errors":[{"code","message","detail"}]} */
function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) return undefined;
    parts.push(c);
  }
  return Buffer.concat(parts);
}

export interface RegistryOptions {
  /** whether this request may write (the push socket, or the token): ADR-0020 */
  mayPush(req: IncomingMessage): boolean;
  /** the token for the credentials the request carries (an anonymous one for none); undefined: wrong ones */
  issueToken(req: IncomingMessage): string | undefined;
  /** whether the request carries a token issued for reading only */
  anonymousToken(req: IncomingMessage): boolean;
  /** let a push move a tag that import wrote (airgap serve --replace) */
  replace?: boolean;
  uploads: Uploads;
}

/**
 * An OCI distribution endpoint over the repository's layout (the same blobs and index.json import
 * writes): pull for skopeo, containerd and dockerd, and push for images built inside the gap.
 * Upload sessions stream into the store's writer, so a blob is checked and appears whole or not
 * at all; a manifest is accepted only when every blob it names is present. Anyone may read;
 * only a client o.mayPush admits may write, and never over a tag import wrote (unless o.replace).
 */
export function registryHandler(store: Store, o: RegistryOptions) {
  const uploads = o.uploads;
  const root = store.root;

  async function sendManifest(req: IncomingMessage, res: ServerResponse, name: string, ref: string) {
    let digest = ref;
    if (!DIGEST.test(ref)) {
      const d = TAG.test(ref) ? await resolveRef(root, `${name}:${ref}`) : undefined;
      if (!d) return fail(res, 404, 'MANIFEST_UNKNOWN', `manifest unknown: ${name}:${ref}`);
      digest = d.digest;
    }
    const bytes = await readFile(store.blobPath(digest)).catch(() => undefined);
    let mediaType: string | undefined;
    try { mediaType = bytes && manifestMediaType(bytes); } catch { mediaType = undefined; }
    if (!bytes || !mediaType || !MANIFEST_TYPES.includes(mediaType)) return fail(res, 404, 'MANIFEST_UNKNOWN', `manifest unknown: ${name}@${digest}`);
    res.writeHead(200, { 'Content-Type': mediaType, 'Content-Length': bytes.length, 'Docker-Content-Digest': digest, ETag: `"${digest}"` });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  async function sendBlob(req: IncomingMessage, res: ServerResponse, name: string, digest: string) {
    if (!DIGEST.test(digest)) return fail(res, 400, 'DIGEST_INVALID', `not a digest: ${digest}`);
    const blob = await store.has(digest);
    if (!blob) return fail(res, 404, 'BLOB_UNKNOWN', `blob unknown to ${name}: ${digest}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size, 'Docker-Content-Digest': digest, ETag: `"${digest}"` });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve, reject) => createReadStream(store.blobPath(digest)).on('error', reject).pipe(res).on('finish', resolve).on('error', reject));
  }

  async function putManifest(req: IncomingMessage, res: ServerResponse, name: string, ref: string) {
    const bytes = await readBody(req, MAX_MANIFEST);
    if (!bytes) return fail(res, 413, 'MANIFEST_INVALID', `manifest larger than ${MAX_MANIFEST} bytes`);
    const digest = `sha256:${sha256(bytes)}`;
    if (DIGEST.test(ref) && ref !== digest) return fail(res, 400, 'DIGEST_INVALID', `body hashes to ${digest}, not ${ref}`);
    if (!DIGEST.test(ref) && !TAG.test(ref)) return fail(res, 400, 'TAG_INVALID', `not a tag: ${ref}`);
    let mediaType: string;
    let children;
    try {
      mediaType = manifestMediaType(bytes, req.headers['content-type']);
      children = childrenOf(parseManifest(bytes));
    } catch {
      return fail(res, 400, 'MANIFEST_INVALID', 'manifest is not JSON');
    }
    if (!MANIFEST_TYPES.includes(mediaType)) return fail(res, 400, 'MANIFEST_INVALID', `unsupported manifest media type ${mediaType}`);
    if (!DIGEST.test(ref) && !o.replace) {
      const now = await resolveRef(root, `${name}:${ref}`);
      if (now?.annotations?.[IMPORTED] && now.digest !== digest) {
        return fail(res, 403, 'DENIED', `${name}:${ref} was imported from a signed bundle as ${now.digest}; a push may not move it`);
      }
    }
    for (const c of children) {
      const have = await store.has(c.digest);
      if (!have || have.size !== c.size) return fail(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown: ${c.digest}`);
    }
    await store.ingest([bytes], { expected: digest, what: `manifest ${name}:${ref}` });
    if (!DIGEST.test(ref)) await tagRef(root, `${name}:${ref}`, { mediaType, digest, size: bytes.length });
    res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
  }

  function appendBody(req: IncomingMessage, u: Upload) {
    return uploads.receiving(u, async () => {
      for await (const chunk of req) {
        await u.writer.write(chunk);
        u.received += chunk.length;
      }
    });
  }

  async function uploads_(req: IncomingMessage, res: ServerResponse, name: string, id: string | undefined, query: URLSearchParams) {
    if (req.method === 'POST' && !id) {
      const mount = query.get('mount');
      if (mount && DIGEST.test(mount) && (await store.has(mount))) {
        return void res.writeHead(201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': 0 }).end();
      }
      const u = await uploads.create(name);
      if (!u) return fail(res, 429, 'TOOMANYREQUESTS', `${uploads.limits.maxCount} uploads are in progress; try again when one ends`, { 'Retry-After': '10' });
      const uuid = u.id;
      const digest = query.get('digest');
      if (digest) return finish(req, res, uuid, digest);
      return void res.writeHead(202, { Location: `/v2/${name}/blobs/uploads/${uuid}`, 'Docker-Upload-UUID': uuid, Range: '0-0', 'Content-Length': 0 }).end();
    }
    const u = id ? uploads.get(id) : undefined;
    if (!id || !u || u.name !== name) return fail(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    if (req.method === 'GET') return void res.writeHead(204, { Location: `/v2/${name}/blobs/uploads/${id}`, Range: `0-${Math.max(0, u.received - 1)}`, 'Docker-Upload-UUID': id }).end();
    if (req.method === 'DELETE') { uploads.take(id); await u.writer.abort(); return void res.writeHead(204).end(); }
    if (req.method === 'PATCH') {
      const range = req.headers['content-range'];
      const start = range ? Number(/^(\d+)-/.exec(range)?.[1]) : u.received;
      if (start !== u.received) return void res.writeHead(416, { Range: `0-${Math.max(0, u.received - 1)}` }).end();
      await appendBody(req, u);
      return void res.writeHead(202, { Location: `/v2/${name}/blobs/uploads/${id}`, Range: `0-${Math.max(0, u.received - 1)}`, 'Docker-Upload-UUID': id, 'Content-Length': 0 }).end();
    }
    if (req.method === 'PUT') return finish(req, res, id, query.get('digest') ?? '');
    fail(res, 405, 'UNSUPPORTED', `${req.method} not allowed on an upload`);
  }

  async function finish(req: IncomingMessage, res: ServerResponse, id: string, digest: string) {
    const u = uploads.take(id)!;
    if (!DIGEST.test(digest)) { await u.writer.abort(); return fail(res, 400, 'DIGEST_INVALID', 'digest query parameter missing or invalid'); }
    try {
      await appendBody(req, u);
      // The digest is known only now: bytes that do not match it never get a name in the store.
      await u.writer.commit(digest);
    } catch (err) {
      await u.writer.abort();
      return fail(res, 400, err instanceof DigestMismatchError ? 'DIGEST_INVALID' : 'BLOB_UPLOAD_INVALID', (err as Error).message);
    }
    res.writeHead(201, { Location: `/v2/${u.name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
  }

  return async (req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams) => {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (pathname === TOKEN_PATH) {
      const token = o.issueToken(req);
      if (!token) return fail(res, 401, 'UNAUTHORIZED', 'wrong credentials: the password is the push token airgap serve wrote (PUSH-DIR/config.json)', { 'WWW-Authenticate': `Basic realm="${SERVICE}"` });
      return void res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ token, access_token: token, expires_in: 3600 }));
    }
    if (pathname === '/v2/' || pathname === '/v2') {
      // Clients learn here how to log in (docker and skopeo ask nowhere else): anonymous readers
      // get the challenge too, take an anonymous token and read on.
      if (!o.mayPush(req) && !o.anonymousToken(req)) return fail(res, 401, 'UNAUTHORIZED', 'anonymous clients may only read; a push needs the push token (airgap serve says where it is)', { 'WWW-Authenticate': challenge(req) });
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    }
    if (!reading && !o.mayPush(req)) {
      req.resume();
      const name = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(pathname)?.[1];
      return fail(res, 401, 'UNAUTHORIZED', `${req.method} needs the push token: anonymous clients may only read`, { 'WWW-Authenticate': challenge(req, name && `repository:${name}:pull,push`) });
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.*)$/.exec(pathname);
    if (!m) return fail(res, 404, 'NAME_UNKNOWN', 'not a registry path');
    const [, name, what, rest] = m;
    if (!NAME.test(name)) return fail(res, 400, 'NAME_INVALID', `invalid repository name: ${name}`);
    if (what === 'tags' && rest === 'list') {
      const prefix = `${name}:`;
      const tags = (await readIndex(root)).manifests.map((d) => d.annotations?.[REF_NAME]).filter((r): r is string => !!r?.startsWith(prefix)).map((r) => r.slice(prefix.length));
      if (!tags.length) return fail(res, 404, 'NAME_UNKNOWN', `repository unknown: ${name}`);
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name, tags }));
    }
    if (what === 'manifests') {
      if (req.method === 'GET' || req.method === 'HEAD') return sendManifest(req, res, name, rest);
      if (req.method === 'PUT') return putManifest(req, res, name, rest);
      return fail(res, 405, 'UNSUPPORTED', `${req.method} not allowed on manifests`);
    }
    if (what === 'blobs') {
      const up = /^uploads\/?(.*)$/.exec(rest);
      if (up) return uploads_(req, res, name, up[1] || undefined, query);
      if (req.method === 'GET' || req.method === 'HEAD') return sendBlob(req, res, name, rest);
      return fail(res, 405, 'UNSUPPORTED', `${req.method} not allowed on blobs`);
    }
    fail(res, 404, 'NAME_UNKNOWN', 'not a registry path');
  };
}
