import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * `npm run site:build` into `outDir` with the evidence in `results`: exit code and all output.
 * Each build runs in a working directory of its own inside the checkout: with an `outDir`
 * outside the working directory, astro bundles its prerender code into `<cwd>/.astro/.prerender/`,
 * which two test files building at once would share (battle log 2026-11-22, "concurrent site
 * builds share .astro/.prerender"); inside the checkout, that code still finds node_modules.
 */
export async function buildSite(outDir: string, results: string): Promise<{ code: number | null; output: string }> {
  await mkdir(join(ROOT, '.work'), { recursive: true });
  const cwd = await mkdtemp(join(ROOT, '.work', 'site-build-'));
  try {
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'scripts/site-build.ts'), '--outDir', outDir], {
        cwd, env: { ...process.env, AIRGAP_SITE_RESULTS: results }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

/** Debian's Chromium (or CHROMIUM_PATH), with its own background requests off: the tests allow none beyond loopback. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
