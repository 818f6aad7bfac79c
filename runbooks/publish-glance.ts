#!/usr/bin/env node
/**
 * Runbook "publish-glance" (Env B): upload a built disk image to Glance with its properties and
 * check what Glance reads back; writes results/<version>/publish.json. Credentials come from the
 * usual OS_* environment. The page is runbooks/publish-glance.mdx.
 */
import { argv, echo } from 'zx';
import { serviceAccess } from '../src/publish/openstack-auth.ts';
import { publishToGlance } from '../src/publish/glance.ts';
import { recordPublish } from '../src/publish/record.ts';
import { redactUrl } from '../src/util/errors.ts';
import { say } from '../src/util/progress.ts';
import { entry, resultsDir, str, type ParamSpec, type RunbookMeta } from './lib/runbook.ts';

export const meta: RunbookMeta = { id: 'publish-glance', title: 'Publish a disk image to Glance', environment: 'B (disconnected)' };

export const params: ParamSpec[] = [
  { name: 'image', help: 'the qcow2 that airgap build disk-image wrote', required: true },
  { name: 'name', help: 'the image name in Glance', required: true },
  { name: 'version', help: 'the release version (evidence goes to results/<version>/publish.json)', required: true },
  { name: 'os-version', help: 'os_version property', default: '12' },
  { name: 'marketplace-category', help: 'marketplace_category property', default: 'os' },
  { name: 'results', help: 'where evidence goes', default: '$AIRGAP_RESULTS or ./results' },
];

export interface PublishParams { image: string; name: string; version: string; osVersion?: string; marketplaceCategory?: string; results?: string; log?: (m: string) => void }

export async function run(p: PublishParams) {
  const g = await serviceAccess('image');
  const img = await publishToGlance(g, p.image, { name: p.name, properties: { os_distro: 'debian', os_version: p.osVersion ?? '12', marketplace_category: p.marketplaceCategory ?? 'os' } }, p.log ?? say);
  const evidence = await recordPublish(resultsDir(p.results), p.version, g, p.image, img);
  return { img, evidence, endpoint: redactUrl(g.endpoint) };
}

if (import.meta.main) {
  await entry(meta, params, argv, async (v) => {
    const r = await run({ image: str(v.image)!, name: str(v.name)!, version: str(v.version)!, osVersion: str(v['os-version']), marketplaceCategory: str(v['marketplace-category']), results: str(v.results) });
    echo(`OK: ${r.img.name} is Glance image ${r.img.id} at ${r.endpoint}; checksum and os_hash_value match ours`);
    echo(`evidence ${r.evidence}`);
    return 0;
  });
}
