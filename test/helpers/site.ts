import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** `npm run site:build` into `outDir` with the evidence in `results`: exit code and all output. */
export function buildSite(outDir: string, results: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/site-build.ts'), '--outDir', outDir], {
      cwd: ROOT, env: { ...process.env, AIRGAP_SITE_RESULTS: results }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Debian's Chromium (or CHROMIUM_PATH), with its own background requests off: the tests allow none beyond loopback. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
