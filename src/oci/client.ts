import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AirgapError, FetchError } from '../util/errors.ts';
import { withRetry } from '../util/retry.ts';
import { credentialsFor, type Credentials } from './credentials.ts';
import { registryBaseUrl } from './reference.ts';
import { ACCEPT, manifestMediaType } from './media.ts';

export interface Manifest { bytes: Buffer; mediaType: string; digest: string }

type Body = () => Readable | Buffer | undefined;

interface Challenge { scheme: string; params: Record<string, string> }

function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1]] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

/**
 * A distribution-spec client on fetch and streams: anonymous, Basic and Bearer (token spec) auth,
 * retries with backoff for 5xx/429/resets, digests checked on everything it reads and writes.
 * Bodies are factories so a retried or re-authenticated request can stream again.
 */
export class RegistryClient {
  readonly registry: string;
  readonly base: string;
  private creds?: Credentials;
  private basic = false;
  private tokens = new Map<string, string>();
  private log: (m: string) => void;

  constructor(registry: string, opts: { insecure?: boolean; credentials?: Credentials; log?: (m: string) => void } = {}) {
    this.registry = registry;
    this.base = registryBaseUrl(registry, opts);
    this.creds = opts.credentials ?? credentialsFor(registry);
    this.log = opts.log ?? (() => {});
  }

  private authHeader(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    if (this.basic && this.creds) return `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`;
    return undefined;
  }

  /** `sent`: the Authorization the refused request carried; only a refusal of that is final. */
  private async authenticate(challenge: Challenge | undefined, scope: string, url: string, sent: string | undefined): Promise<void> {
    const who = `registry ${this.registry}`;
    if (!challenge) throw new FetchError(url, `${who} answered 401 without a WWW-Authenticate challenge`, 401);
    if (challenge.scheme === 'basic') {
      if (!this.creds) throw new AirgapError(`${who} requires credentials (HTTP 401, Basic)`, { hint: `log in (docker login ${this.registry}) or set AIRGAP_REGISTRY_AUTH="${this.registry}=user:password"` });
      if (sent?.startsWith('Basic ')) throw new AirgapError(`${who} refused the credentials for ${this.creds.username} (HTTP 401)`, { hint: 'check the user name and password' });
      this.basic = true;
      return;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) throw new FetchError(url, `${who}: unsupported auth challenge "${challenge.scheme}"`, 401);
    const t = new URL(challenge.params.realm);
    if (challenge.params.service) t.searchParams.set('service', challenge.params.service);
    for (const s of new Set([...scope.split(' '), ...(challenge.params.scope ? [challenge.params.scope] : [])].filter(Boolean))) t.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (this.creds) headers.Authorization = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`;
    const res = await fetch(t, { headers }).catch((err) => { throw FetchError.unreached(t.toString(), err); });
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel();
      throw new FetchError(t.toString(), `${who}: token server answered HTTP ${res.status}`, res.status);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new AirgapError(`${who}: token server ${t.origin} refused (HTTP ${res.status})${this.creds ? '' : ' and no credentials are configured'}`, { hint: `set AIRGAP_REGISTRY_AUTH="${this.registry}=user:password" or docker login` });
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new AirgapError(`${who}: token server gave no token`);
    if (sent === `Bearer ${token}`) throw new AirgapError(`${who} refused access to ${scope} (HTTP 401 with a fresh token)`, { hint: this.creds ? `the account ${this.creds.username} lacks permission` : 'credentials are needed for this' });
    this.tokens.set(scope, token);
  }

  /** One request with auth and retries; `expect` lists the statuses that are answers, not errors. */
  async request(method: string, pathOrUrl: string, o: { scope: string; headers?: Record<string, string>; body?: Body; expect: number[]; what: string }): Promise<Response> {
    const url = new URL(pathOrUrl, this.base).toString();
    return withRetry(async () => {
      for (let auth = 0; ; auth++) {
        const headers: Record<string, string> = { ...o.headers };
        const a = this.authHeader(o.scope);
        if (a) headers.Authorization = a;
        const body = o.body?.();
        const res = await fetch(url, { method, headers, body: body as never, redirect: 'follow', ...(body instanceof Readable ? { duplex: 'half' } : {}) })
          .catch((err) => { throw FetchError.unreached(url, err); });
        if (res.status === 401 && auth < 2) {
          await res.body?.cancel();
          // Concurrent requests (a push's blobs) all meet the first 401: when another one has
          // authenticated since this one was sent, retrying with its credentials is the answer,
          // not "refused"; only a 401 to what this request carried is (battle log 2026-12-08,
          // "parallel 401s").
          if (this.authHeader(o.scope) === a) await this.authenticate(parseChallenge(res.headers.get('www-authenticate')), o.scope, url, a);
          continue;
        }
        if (o.expect.includes(res.status)) return res;
        const text = await res.text().catch(() => '');
        let detail = text.slice(0, 300);
        try {
          const e = JSON.parse(text).errors?.[0];
          if (e) detail = `${e.code}: ${e.message}`;
        } catch { /* not JSON */ }
        throw new FetchError(url, `${o.what}: HTTP ${res.status}${detail ? ` ${detail}` : ''} (registry ${this.registry})`, res.status);
      }
    }, { onRetry: (n, why) => this.log(`retry ${n}: ${why}`) });
  }

  async getManifest(repository: string, reference: string): Promise<Manifest> {
    const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { scope: `repository:${repository}:pull`, headers: { Accept: ACCEPT }, expect: [200], what: `manifest ${repository}:${reference}` });
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) throw new AirgapError(`registry ${this.registry}: manifest ${repository}@${reference} has digest ${digest}`, { hint: 'the registry returned different bytes than asked for' });
    const header = res.headers.get('docker-content-digest');
    if (header && header !== digest) throw new AirgapError(`registry ${this.registry}: manifest ${repository}:${reference}: Docker-Content-Digest ${header} but bytes hash to ${digest}`);
    return { bytes, digest, mediaType: manifestMediaType(bytes, res.headers.get('content-type'), `registry ${this.registry}: manifest ${repository}:${reference}`) };
  }

  async hasManifest(repository: string, reference: string): Promise<string | undefined> {
    const res = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, { scope: `repository:${repository}:pull`, headers: { Accept: ACCEPT }, expect: [200, 404], what: `manifest ${repository}:${reference}` });
    if (res.status !== 200) return undefined;
    // Without the header the digest is only known from the bytes.
    return res.headers.get('docker-content-digest') ?? (await this.getManifest(repository, reference)).digest;
  }

  /** The blob's bytes as a stream; the caller checks them against the digest while storing. */
  async getBlob(repository: string, digest: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { scope: `repository:${repository}:pull`, expect: [200], what: `blob ${digest}` });
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async hasBlob(repository: string, digest: string, scope = `repository:${repository}:pull,push`): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { scope, expect: [200, 404], what: `blob ${digest}` });
    return res.status === 200;
  }

  /**
   * Push a blob unless the registry has it: cross-repository mount when a source repository is
   * known (201), else POST then PUT (monolithic, streamed) or PATCH chunks then PUT for big blobs.
   */
  async pushBlob(repository: string, blob: { digest: string; size: number }, open: (start: number, end: number) => Readable, o: { mountFrom?: string; chunkSize?: number } = {}): Promise<'present' | 'mounted' | 'uploaded'> {
    const scope = `repository:${repository}:pull,push${o.mountFrom ? ` repository:${o.mountFrom}:pull` : ''}`;
    if (await this.hasBlob(repository, blob.digest, scope)) return 'present';
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/${o.mountFrom ? `?mount=${blob.digest}&from=${encodeURIComponent(o.mountFrom)}` : ''}`, { scope, expect: [201, 202], what: `upload of ${blob.digest}` });
    await start.body?.cancel();
    if (start.status === 201) return 'mounted';
    let location = new URL(start.headers.get('location') ?? '', this.base + '/').toString();
    const chunk = o.chunkSize ?? Number(process.env.AIRGAP_CHUNK_SIZE ?? 64 << 20);
    let sent = 0;
    if (blob.size > chunk) {
      for (; sent < blob.size; sent += chunk) {
        const end = Math.min(blob.size, sent + chunk) - 1;
        const res = await this.request('PATCH', location, {
          scope, expect: [202], what: `chunk ${sent}-${end} of ${blob.digest}`,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${sent}-${end}`, 'Content-Length': String(end - sent + 1) },
          body: () => open(sent, end),
        });
        await res.body?.cancel();
        location = new URL(res.headers.get('location') ?? location, location).toString();
      }
    }
    const put = new URL(location);
    put.searchParams.set('digest', blob.digest);
    const last = sent >= blob.size;
    const res = await this.request('PUT', put.toString(), {
      scope, expect: [201, 204], what: `upload of ${blob.digest}`,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(last ? 0 : blob.size) },
      body: last ? undefined : () => open(0, blob.size - 1),
    });
    await res.body?.cancel();
    const got = res.headers.get('docker-content-digest');
    if (got && got !== blob.digest) throw new AirgapError(`registry ${this.registry} stored ${blob.digest} as ${got}`);
    return 'uploaded';
  }

  /** PUT the exact bytes under a tag or digest; the registry's digest must be ours. */
  async putManifest(repository: string, reference: string, m: { bytes: Buffer; mediaType: string; digest: string }): Promise<void> {
    const res = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      scope: `repository:${repository}:pull,push`, expect: [201, 200], what: `manifest ${repository}:${reference}`,
      headers: { 'Content-Type': m.mediaType }, body: () => m.bytes,
    });
    await res.body?.cancel();
    const got = res.headers.get('docker-content-digest');
    if (got && got !== m.digest) throw new AirgapError(`registry ${this.registry} stored manifest ${repository}:${reference} as ${got}, expected ${m.digest}`);
  }
}
