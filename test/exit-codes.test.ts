import { describe, it, expect, beforeAll } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workspace, airgap } from './helpers/workspace.ts';

/**
 * Issue 17: exit 2 means "could not run as given" in every verb (docs/lld/cli.md). A host that
 * lacks a tool is 2 for build as for the others, not a failed build (1).
 */
describe('exit codes agree across verbs', () => {
  let dir: string;
  let release: string;
  beforeAll(async () => {
    dir = await workspace('airgap-exit-');
    release = join(dir, 'release');
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'factory.yaml'), 'version: 1.0.0\n');
    const r = await airgap(['lock', release, '--results', join(dir, 'results')]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('build with the sandbox tools missing from the host is exit 2, naming them, with no build evidence', async () => {
    // no PATH: neither the sandbox's tools nor apt-get to install them
    const r = await airgap(['build', 'command', release, '--server', 'http://127.0.0.1:1', '--results', join(dir, 'results'), '--', 'true'], { env: { PATH: '/nonexistent' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/missing host tools: unshare, ip, nft, mount/);
    expect(r.stderr).toMatch(/→ install them first/);
    expect(r.stderr).not.toMatch(/FAILED|this is a bug/);
  });
});
