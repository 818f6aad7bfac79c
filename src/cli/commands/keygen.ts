import type { Command } from '../command.ts';
import { generateKeyPair, fingerprint, keyIdHex } from '../../trust/keys.ts';
import { print } from '../output.ts';
import { UsageError } from '../../util/errors.ts';
import { generateOpenpgpKey } from '../../trust/openpgp.ts';

export const keygen: Command = {
  name: 'keygen',
  summary: 'Make an ed25519 signing keypair: NAME.key (secret, mode 0600) and NAME.pub (minisign public key).',
  usage: '[--out DIR] [--name NAME] [--openpgp]',
  options: {
    out: { help: 'directory for the key files', type: 'string', default: '.', dir: 'writes' },
    name: { help: 'file name stem', type: 'string', default: 'airgap' },
    openpgp: { help: 'make an OpenPGP key instead (NAME-openpgp.key, NAME-openpgp.asc), for signing apt repositories', type: 'boolean' },
  },
  details: 'Refuses to overwrite an existing key. The bundle key (.key) stays offline in Env A; carry only its .pub to Env B. The OpenPGP key (--openpgp) signs the apt repository at import, so it lives where import runs (Env B).',
  async run({ values, global }) {
    // the name becomes NAME.key beside NAME.pub in --out: a path here would write elsewhere
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(values.name)) {
      throw new UsageError(`--name "${values.name}" is not a plain file name`, 'give a name like airgap or release-2026 (letters, digits, . _ + -); put the directory in --out');
    }
    if (values.openpgp) {
      const k = await generateOpenpgpKey(values.out, values.name);
      print(global, { kind: 'openpgp', secretKey: k.secretPath, publicKey: k.publicPath, fingerprint: k.fingerprint }, `secret key ${k.secretPath} (mode 0600)\npublic key ${k.publicPath}\nfingerprint ${k.fingerprint}`);
      return 0;
    }
    const r = await generateKeyPair(values.out, values.name);
    print(global, { kind: 'minisign', secretKey: r.secretPath, publicKey: r.publicPath, keyId: keyIdHex(r.pub.keyId), fingerprint: fingerprint(r.pub.raw) },
      `secret key ${r.secretPath} (mode 0600)\npublic key ${r.publicPath}\nkey id ${keyIdHex(r.pub.keyId)}, ${fingerprint(r.pub.raw)}`);
    return 0;
  },
};
