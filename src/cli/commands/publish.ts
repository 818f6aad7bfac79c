import { existsSync } from 'node:fs';
import type { Command } from '../command.ts';
import { need } from '../command.ts';
import { print } from '../output.ts';
import { serviceAccess } from '../../publish/openstack-auth.ts';
import { publishToGlance } from '../../publish/glance.ts';
import { recordPublish } from '../../publish/record.ts';
import { releaseVersion } from '../../manifest/schema.ts';
import { redactUrl, UsageError } from '../../util/errors.ts';

const VISIBILITY = ['private', 'shared', 'community', 'public'] as const;

export const publish: Command = {
  name: 'publish',
  summary: 'Publish a built disk image to Glance (v2): properties set, upload streamed, Glance\'s checksums read back and compared.',
  usage: 'glance <image.qcow2> --name NAME [--os-distro debian --os-version 12] [--marketplace-category C] [--property K=V…] [--visibility private] [--version V]',
  positionals: [{ name: 'glance', help: 'the target (only glance)' }, { name: 'image', help: 'the qcow2 file (airgap build disk-image writes NAME.qcow2)' }],
  options: {
    name: { help: 'the image name in Glance', type: 'string' },
    'os-distro': { help: 'os_distro property', type: 'string', default: 'debian' },
    'os-version': { help: 'os_version property', type: 'string' },
    'marketplace-category': { help: 'marketplace_category property', type: 'string' },
    property: { help: 'another property, K=V (repeatable; hw_disk_bus and hw_vif_model default to virtio, os_type to linux)', type: 'string', multiple: true },
    visibility: { help: 'private, shared, community or public', type: 'string', default: 'private' },
    tag: { help: 'an image tag (repeatable)', type: 'string', multiple: true },
    version: { help: 'the release version: evidence goes to results/<version>/publish.json', type: 'string' },
  },
  details: 'Credentials from the usual OS_* environment: a Keystone v3 password login (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, domains, OS_INTERFACE, OS_REGION_NAME), or OS_TOKEN with OS_ENDPOINT, or OS_AUTH_TYPE=none with OS_ENDPOINT. Exit 1 when Glance refuses or reads back anything but what was sent.',
  async run({ positionals, values, global }) {
    if (positionals[0] !== 'glance') throw new UsageError(`publish: unknown target "${positionals[0] ?? ''}"`, 'usage: airgap publish glance <image.qcow2> --name NAME');
    const file = need(positionals[1], '<image>', publish);
    const name = need(values.name as string | undefined, '--name', publish);
    if (!VISIBILITY.includes(values.visibility)) throw new UsageError(`--visibility must be one of ${VISIBILITY.join(', ')}`);
    if (values.version && !releaseVersion.safeParse(values.version).success) throw new UsageError(`--version "${values.version}" is not a release version`);
    const properties: Record<string, string> = { os_distro: values['os-distro'] };
    if (values['os-version']) properties.os_version = values['os-version'];
    if (values['marketplace-category']) properties.marketplace_category = values['marketplace-category'];
    for (const kv of (values.property as string[] | undefined) ?? []) {
      const m = /^([A-Za-z0-9_:.-]+)=(.*)$/.exec(kv);
      if (!m) throw new UsageError(`--property "${kv}": expected KEY=VALUE`);
      properties[m[1]] = m[2];
    }
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`, 'give the qcow2 that airgap build disk-image wrote (NAME.qcow2 in its --out directory)');
    const g = await serviceAccess('image');
    const img = await publishToGlance(g, file, { name, properties, visibility: values.visibility, tags: values.tag as string[] | undefined }, global.log);
    const evidence = values.version ? await recordPublish(global.resultsDir, values.version, g, file, img) : undefined;
    print(global, { ...img, endpoint: redactUrl(g.endpoint), ...(evidence ? { evidence } : {}) },
      [`OK: ${name} is Glance image ${img.id} (${img.status}) at ${redactUrl(g.endpoint)}`, `  checksum ${img.checksum}, os_hash_value (sha512) ${img.osHashValue.slice(0, 32)}… match ours`, `  sha256 ${img.sha256}`, ...(evidence ? [`evidence ${evidence}`] : [])].join('\n'));
    return 0;
  },
};
