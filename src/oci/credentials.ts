import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials { username: string; password: string }

/**
 * Credentials for a registry, looked up the ways operators already keep them:
 *  1. AIRGAP_REGISTRY_AUTH="host:port=user:password,other=user:password" (CI secrets);
 *  2. REGISTRY_AUTH_FILE (containers-auth.json, what skopeo/podman use);
 *  3. $DOCKER_CONFIG/config.json or ~/.docker/config.json (`docker login`).
 * Only the registry's own entry is ever sent to it.
 */
export function credentialsFor(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  for (const item of (env.AIRGAP_REGISTRY_AUTH ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const colon = item.indexOf(':', eq + 1);
    if (eq > 0 && colon > eq && item.slice(0, eq) === registry) return { username: item.slice(eq + 1, colon), password: item.slice(colon + 1) };
  }
  const files = [env.REGISTRY_AUTH_FILE, join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json')].filter(Boolean) as string[];
  for (const file of files) {
    let auths: Record<string, { auth?: string; username?: string; password?: string }> | undefined;
    try {
      auths = JSON.parse(readFileSync(file, 'utf8')).auths;
    } catch {
      continue;
    }
    const keys = registry === 'docker.io' ? ['docker.io', 'https://index.docker.io/v1/', 'index.docker.io'] : [registry, `https://${registry}`, `http://${registry}`];
    for (const k of keys) {
      const e = auths?.[k];
      if (!e) continue;
      if (e.username && e.password) return { username: e.username, password: e.password };
      if (e.auth) {
        const [username, ...rest] = Buffer.from(e.auth, 'base64').toString('utf8').split(':');
        return { username, password: rest.join(':') };
      }
    }
  }
  return undefined;
}
