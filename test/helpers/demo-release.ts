import { onCleanup } from './cleanup.ts';
import { join } from 'node:path';
import { makeUpstream } from '../../src/demo/upstream.ts';
import { startServer } from '../../src/serve/server.ts';
import { copyDemoRelease } from '../../src/demo/demo.ts';
import { generateKeyPair } from '../../src/trust/keys.ts';
import { generateOpenpgpKey } from '../../src/trust/openpgp.ts';

/**
 * The demo's generated upstream on loopback plus a copy of releases/demo, ready to lock: the test
 * upstream every backbone test builds on. The server is stopped after the file's tests.
 */
export async function demoRelease(dir: string) {
  const upstreamDir = join(dir, 'upstream');
  await makeUpstream(upstreamDir);
  const upstream = await startServer(upstreamDir, { host: '127.0.0.1', port: 0 });
  onCleanup(() => upstream.close());
  const release = join(dir, 'release');
  await copyDemoRelease(release, upstreamDir);
  const keys = await generateKeyPair(join(dir, 'keys'));
  const aptKey = (await generateOpenpgpKey(join(dir, 'keys'))).secretPath;
  return { upstream, upstreamDir, release, keys, aptKey, env: { DEMO_UPSTREAM: upstream.url, DEMO_REGISTRY: new URL(upstream.url).host } };
}
