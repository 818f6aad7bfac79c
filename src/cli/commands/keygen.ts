import type { Command } from '../command.ts';
import { generateKeyPair, fingerprint, keyIdHex } from '../../trust/keys.ts';
import { print } from '../output.ts';
import { generateOpenpgpKey } from '../../trust/openpgp.ts';

export const keygen: Command = {
  name: 'keygen',
  summary: 'Make an ed25519 signing keypair: NAME.key (secret, mode 0600) and NAME.pub (minisign public key).',
  usage: '[--out DIR] [--name NAME] [--openpgp]',
  options: {
    out: { help: 'directory for the key files', type: 'string', default: '.' },
    name: { help: 'file name stem', type: 'string', default: 'airgap' },
    openpgp: { help: 'make an OpenPGP key instead (NAME-openpgp.key, NAME-openpgp.asc), for signing apt repositories', type: 'boolean' },
  },
  details: 'Refuses to overwrite an existing key. The bundle key (.key) stays offline in Env A; carry only its .pub to Env B. The OpenPGP key (--openpgp) signs the apt repository at import, so it lives where import runs (Env B).',
  async run({ values, global }) {
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
