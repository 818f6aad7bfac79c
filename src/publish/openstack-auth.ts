import { AirgapError, UsageError } from '../util/errors.ts';

export interface ServiceAccess { endpoint: string; headers: Record<string, string>; how: string }

/**
 * Where a service is and how to call it, from the usual OS_* environment (the same variables
 * openstack CLI reads): OS_AUTH_TYPE=none with OS_ENDPOINT; OS_TOKEN with OS_ENDPOINT; or a
 * Keystone v3 password login (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME or
 * OS_PROJECT_ID, the domains) whose catalog names the endpoint of `serviceType`.
 */
export async function serviceAccess(serviceType: string, env: NodeJS.ProcessEnv = process.env): Promise<ServiceAccess> {
  const authType = (env.OS_AUTH_TYPE ?? '').toLowerCase();
  if (authType === 'none' || authType === 'noauth') {
    if (!env.OS_ENDPOINT) throw new UsageError('OS_AUTH_TYPE=none needs OS_ENDPOINT', 'e.g. export OS_ENDPOINT=http://127.0.0.1:9292');
    return { endpoint: env.OS_ENDPOINT.replace(/\/+$/, ''), headers: {}, how: 'no authentication (OS_AUTH_TYPE=none)' };
  }
  if (env.OS_TOKEN && env.OS_ENDPOINT) return { endpoint: env.OS_ENDPOINT.replace(/\/+$/, ''), headers: { 'X-Auth-Token': env.OS_TOKEN }, how: 'a token (OS_TOKEN) and OS_ENDPOINT' };
  const need = ['OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD'].filter((k) => !env[k]);
  if (need.length || !(env.OS_PROJECT_NAME || env.OS_PROJECT_ID)) {
    throw new UsageError(`no OpenStack credentials: ${[...need, ...(env.OS_PROJECT_NAME || env.OS_PROJECT_ID ? [] : ['OS_PROJECT_NAME or OS_PROJECT_ID'])].join(', ')} not set`,
      'source your openrc, or set OS_AUTH_TYPE=none and OS_ENDPOINT for a Glance without Keystone');
  }
  const project = env.OS_PROJECT_ID ? { id: env.OS_PROJECT_ID } : { name: env.OS_PROJECT_NAME, domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? env.OS_USER_DOMAIN_NAME ?? 'Default' } };
  const url = `${env.OS_AUTH_URL!.replace(/\/+$/, '').replace(/\/v3$/, '')}/v3/auth/tokens`;
  const res = await fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: env.OS_USERNAME, domain: { name: env.OS_USER_DOMAIN_NAME ?? 'Default' }, password: env.OS_PASSWORD } } }, scope: { project } } }),
  }).catch((err: Error) => { throw new AirgapError(`Keystone at ${env.OS_AUTH_URL}: ${err.message}`); });
  if (res.status !== 201) throw new AirgapError(`Keystone at ${env.OS_AUTH_URL}: login refused (HTTP ${res.status})`, { hint: 'check OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME and the domains' });
  const token = res.headers.get('x-subject-token')!;
  const catalog = ((await res.json()) as { token: { catalog?: { type: string; endpoints: { interface: string; region?: string; region_id?: string; url: string }[] }[] } }).token.catalog ?? [];
  const iface = env.OS_INTERFACE ?? env.OS_ENDPOINT_TYPE?.replace(/URL$/, '') ?? 'public';
  const ep = catalog.find((s) => s.type === serviceType)?.endpoints.find((e) => e.interface === iface && (!env.OS_REGION_NAME || e.region === env.OS_REGION_NAME || e.region_id === env.OS_REGION_NAME));
  if (!ep) throw new AirgapError(`Keystone's catalog has no ${iface} ${serviceType} endpoint${env.OS_REGION_NAME ? ` in region ${env.OS_REGION_NAME}` : ''}`, { hint: 'set OS_INTERFACE / OS_REGION_NAME, or OS_ENDPOINT with OS_TOKEN' });
  return { endpoint: ep.url.replace(/\/+$/, ''), headers: { 'X-Auth-Token': token }, how: `Keystone v3 password login as ${env.OS_USERNAME}` };
}
