import { basename } from 'node:path';
import { readEvidence } from '../evidence/read.ts';
import { writeEvidence } from '../evidence/write.ts';
import { redactUrl } from '../util/errors.ts';
import type { PublishedImage } from './glance.ts';
import type { ServiceAccess } from './openstack-auth.ts';

/** Append a published image to results/<version>/publish.json; returns the file written. */
export async function recordPublish(resultsDir: string, version: string, g: ServiceAccess, file: string, img: PublishedImage): Promise<string> {
  const earlier = (await readEvidence(resultsDir, version, 'publish'))?.images ?? [];
  const { status: _status, ...rest } = img;
  return writeEvidence(resultsDir, 'publish', { version, images: [...earlier, { target: 'glance', at: new Date().toISOString(), endpoint: redactUrl(g.endpoint), auth: g.how, file: basename(file), ...rest }] });
}
