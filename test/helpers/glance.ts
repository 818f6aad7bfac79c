import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { freePort } from './docker-registry.ts';
import { run } from '../../src/host/exec.ts';

const PY = '/usr/bin/python3'; // Debian's, where python3-glance is installed
const PASTE = join(import.meta.dirname, '../fixtures/glance/glance-api-paste.ini');

/**
 * A real Glance (Debian's python3-glance) on loopback: sqlite, the file store, no Keystone
 * (reference: disk-images.md section 8). Stopped by PID after the file's tests.
 */
export async function startGlance(dir: string): Promise<{ url: string }> {
  const w = join(dir, 'glance');
  for (const d of ['images', 'staging', 'tasks', 'locks']) await mkdir(join(w, d), { recursive: true });
  const port = await freePort();
  await writeFile(join(w, 'glance-api.conf'), [
    '[DEFAULT]', 'bind_host = 127.0.0.1', `bind_port = ${port}`, 'workers = 1', 'enabled_backends = fs:file', `log_file = ${w}/glance-api.log`,
    '[database]', `connection = sqlite:///${w}/glance.sqlite`,
    '[paste_deploy]', 'flavor =', `config_file = ${PASTE}`,
    '[glance_store]', 'default_backend = fs',
    '[fs]', `filesystem_store_datadir = ${w}/images/`,
    '[os_glance_staging_store]', `filesystem_store_datadir = ${w}/staging/`,
    '[os_glance_tasks_store]', `filesystem_store_datadir = ${w}/tasks/`,
    '[oslo_concurrency]', `lock_path = ${w}/locks`,
    '[oslo_policy]', `policy_file = ${w}/policy.yaml`, '',
  ].join('\n'));
  // the no-auth context has no roles; publicizing is admin-only otherwise
  await writeFile(join(w, 'policy.yaml'), '"publicize_image": ""\n');
  const conf = join(w, 'glance-api.conf');
  await run(PY, ['-c', 'import sys; from glance.cmd.manage import main; sys.argv = ["glance-manage", "--config-file", sys.argv[1], "db_sync"]; sys.exit(main())', conf]);
  const api = spawn(PY, ['-c', 'import sys; from glance.cmd.api import main; sys.argv = ["glance-api", "--config-file", sys.argv[1]]; sys.exit(main())', conf], { stdio: 'ignore' });
  onCleanup(() => { if (api.exitCode === null) api.kill('SIGTERM'); });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/versions`).then((r) => r.ok, () => false)) return { url };
    if (api.exitCode !== null) throw new Error(`glance-api exited (${api.exitCode}); see ${w}/glance-api.log`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`glance-api did not answer within 20 s; see ${w}/glance-api.log`);
}
