#!/usr/bin/env node
/**
 * Runbook "publish-glance" (Env B): upload a built disk image to Glance with its properties and
 * check what Glance reads back; writes results/<version>/publish.json. Credentials come from the
 * usual OS_* environment. The page is runbooks/publish-glance.mdx.
 */
import { z } from 'zod';
import { serviceAccess } from '../src/publish/openstack-auth.ts';
import { publishToGlance } from '../src/publish/glance.ts';
import { recordPublish } from '../src/publish/record.ts';
import { releaseVersion } from '../src/manifest/schema.ts';
import { redactUrl } from '../src/util/errors.ts';
import { evidencePath, main, resultsDir, secret, type RunContext, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'publish-glance', title: 'Publish a disk image to Glance', environment: 'B (disconnected)' };

export const schema = z.object({
  image: z.string().describe('the qcow2 that airgap build disk-image wrote'),
  name: z.string().describe('the image name in Glance'),
  version: releaseVersion.describe('the release version (evidence goes to results/<version>/publish.json)'),
  osVersion: z.string().default('12').describe('os_version property'),
  marketplaceCategory: z.string().default('os').describe('marketplace_category property'),
  results: z.string().optional().describe('where evidence goes (default: $AIRGAP_RESULTS or ./results)'),
  osPassword: secret('OS_PASSWORD', 'the Keystone password, with the other OS_* variables of an openrc'),
  osToken: secret('OS_TOKEN', 'a Keystone token, with OS_ENDPOINT'),
}).strict();

export type PublishParams = z.output<typeof schema>;

export function plan(p: PublishParams): string[] {
  return [
    'Find Glance from the OS_* environment (a Keystone login, a token, or OS_AUTH_TYPE=none with OS_ENDPOINT)',
    `Create the image "${p.name}" with os_distro=debian, os_version=${p.osVersion}, marketplace_category=${p.marketplaceCategory} and the virtio properties`,
    `Upload ${p.image}, hashing it on the way`,
    "Read the image back; fail unless Glance's checksum, os_hash_value, size and properties equal what was sent",
    `Write evidence ${evidencePath(p.results, 'publish.json').replace('<version>', p.version)}`,
  ];
}

export async function run(p: PublishParams, ctx: RunContext): Promise<number> {
  const g = await serviceAccess('image');
  const img = await publishToGlance(g, p.image, { name: p.name, properties: { os_distro: 'debian', os_version: p.osVersion, marketplace_category: p.marketplaceCategory } }, ctx.log);
  const evidence = await recordPublish(resultsDir(p.results), p.version, g, p.image, img);
  ctx.echo(`OK: ${img.name} is Glance image ${img.id} at ${redactUrl(g.endpoint)}; checksum and os_hash_value match ours`);
  ctx.echo(`evidence ${evidence}`);
  return 0;
}

if (import.meta.main) await main({ meta, schema, plan, run });
