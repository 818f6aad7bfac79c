import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { workspace, airgap } from './helpers/workspace.ts';
import { buildSite, launchChromium } from './helpers/site.ts';
import { call, startRunner, type StartedRunner } from './helpers/runner.ts';

/**
 * Runbooks run from their pages: the built site served by `airgap site serve`, driven in Debian's
 * Chromium. The happy path is the real verify runbook on the bundle the demo made with the
 * project's own tools; the long run is the real serve runbook, which runs until it is stopped.
 */
describe('running runbooks from the page (airgap site serve, Debian chromium)', () => {
  let dir: string;
  let ws: string;
  let results: string;
  let runner: StartedRunner;
  let browser: Browser;

  beforeAll(async () => {
    dir = await workspace('airgap-runner-page-');
    ws = join(dir, 'ws');
    results = join(dir, 'results');
    const demo = await airgap(['demo', '--workspace', ws, '--results', results]);
    expect(demo.code, demo.stderr).toBe(0);
    const dist = join(dir, 'dist');
    const built = await buildSite(dist, results);
    expect(built.code, built.output).toBe(0);
    // --version: where a run is recorded when its evidence names no version (a dry run writes none)
    runner = await startRunner(['--site', dist, '--results', results, '--version', '0.1.0-demo']);
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** A tab that fails the test on console errors, page errors, and any request off the runner's origin or carrying the token in its URL. */
  async function tab(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(runner.origin) && !u.startsWith('data:')) problems.push(`external request: ${u}`);
      if (u.includes(runner.token)) problems.push(`token in a URL sent: ${u}`);
    });
    return { page, problems };
  }

  /** Opens the URL the runner printed (the token in its fragment), then goes to `path` in the same tab. */
  async function signIn(path: string) {
    const t = await tab();
    await t.page.goto(runner.open);
    expect(await t.page.evaluate(() => location.hash), 'the token is dropped from the address bar').toBe('');
    await t.page.goto(`${runner.origin}${path}`);
    await t.page.locator('[data-runner-panel]:not([hidden]), [data-runs-live]').first().waitFor({ timeout: 15_000 });
    return t;
  }

  it('without the token a runbook page is the static page: the command and its copy button, no form', async () => {
    const { page, problems } = await tab();
    await page.goto(`${runner.origin}/runbooks/verify/`, { waitUntil: 'networkidle' });
    expect(await page.locator('figure:has-text("npx node runbooks/verify.ts") button').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-runner-panel]').isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('verify from its page: the form, the plan of a dry run, confirm, the live log, the evidence link, and the run on the runs page', async () => {
    const { page, problems } = await signIn('/runbooks/verify/');
    const panel = page.locator('[data-runner-panel]');
    // the form is the schema: bundle, trust (a list), and no results field (the runner's own)
    expect(await panel.locator('[data-param]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).name))).toEqual(['bundle', 'trust']);
    expect(await panel.locator('[data-action="run"]').isDisabled(), 'no real run before a dry run').toBe(true);
    await panel.locator('[data-param="bundle"]').fill(join(ws, 'bundle'));
    await panel.locator('[data-param="trust"]').fill(join(ws, 'keys', 'airgap.pub'));

    await panel.locator('[data-action="dry-run"]').click();
    await panel.locator('[data-runner="status"].status-ok').waitFor({ timeout: 30_000 });
    expect(await panel.locator('[data-runner="plan"] li').first().innerText()).toBe(`Check the signature of ${join(ws, 'bundle')}/toc.json against ${join(ws, 'keys', 'airgap.pub')}`);
    expect(await panel.locator('[data-runner="log"]').innerText()).toContain('runbook verify: dry run, nothing is done');
    expect(await panel.locator('[data-runner="status"]').innerText()).toMatch(/^Dry run done \(exit 0\)/);

    await panel.locator('[data-action="run"]').click();
    const command = await panel.locator('[data-runner="command"]').innerText();
    expect(command).toBe(`node runbooks/verify.ts --bundle=${join(ws, 'bundle')} --trust=${join(ws, 'keys', 'airgap.pub')}`);
    await panel.locator('[data-action="confirm"]').click();
    await panel.locator('[data-runner="status"]', { hasText: /^Done/ }).waitFor({ timeout: 30_000 });
    const log = await panel.locator('[data-runner="log"]').innerText();
    expect(log).toContain(`OK: ${join(ws, 'bundle')}: release 0.1.0-demo, 2 volume(s) verified`);
    expect(log).toContain('[runner] ok: exit 0');

    const link = panel.locator('a[data-runner-evidence="0.1.0-demo/verify.json"]');
    expect(await link.getAttribute('href')).toBe('/results/0.1.0-demo/verify.json');
    const served = JSON.parse((await call(`${runner.origin}/results/0.1.0-demo/verify.json`)).body);
    const onDisk = JSON.parse(await readFile(join(results, '0.1.0-demo/verify.json'), 'utf8'));
    expect(served).toEqual(onDisk);
    expect(served.ok).toBe(true);

    await page.locator('a', { hasText: 'runs of 0.1.0-demo' }).click();
    await page.locator('[data-runs-live]').waitFor({ timeout: 15_000 });
    const rows = page.locator('h2#v-0\\.1\\.0-demo + table tbody tr');
    const texts = await rows.allInnerTexts();
    expect(texts.some((t) => /verify\s+real\s+ok \(exit 0\)/.test(t)), texts.join('\n')).toBe(true);
    expect(texts.some((t) => /verify\s+dry run\s+ok \(exit 0\)/.test(t)), texts.join('\n')).toBe(true);
    expect(await page.locator('a[href="/results/0.1.0-demo/verify.json"]').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a long run (serve) streams its log live, and Cancel stops it: the server it started stops answering', async () => {
    const { page, problems } = await signIn('/runbooks/serve/');
    const panel = page.locator('[data-runner-panel]');
    await panel.locator('[data-param="root"]').fill(join(ws, 'repo'));
    await panel.locator('[data-param="listen"]').fill('127.0.0.1:0');
    await panel.locator('[data-action="dry-run"]').click();
    await panel.locator('[data-runner="status"].status-ok').waitFor({ timeout: 30_000 });
    await panel.locator('[data-action="run"]').click();
    await panel.locator('[data-action="confirm"]').click();
    const line = panel.locator('[data-runner="log"]', { hasText: /serving .* at http:\/\/127\.0\.0\.1:\d+\/repository\// });
    await line.waitFor({ timeout: 30_000 });
    const url = /at (http:\/\/127\.0\.0\.1:\d+)\/repository\//.exec(await line.innerText())![1];
    expect((await call(`${url}/`)).status, 'the runbook serves while the run goes on').toBe(200);
    expect(await panel.locator('[data-runner="status"]').innerText()).toBe('Running…');

    await panel.locator('[data-action="cancel"]').click();
    await panel.locator('[data-runner="status"]', { hasText: /^Cancelled/ }).waitFor({ timeout: 15_000 });
    expect(await panel.locator('[data-runner="log"]').innerText()).toMatch(/\[runner\] cancel: SIGTERM to the process group[\s\S]*stopped[\s\S]*\[runner\] cancelled/);
    await expect(call(`${url}/`), 'the server the run started is gone').rejects.toThrow(/ECONNREFUSED/);
    expect(await panel.locator('[data-action="cancel"]').isHidden()).toBe(true);

    await page.goto(`${runner.origin}/runs/`);
    await page.locator('[data-runs-live]').waitFor({ timeout: 15_000 });
    expect((await page.locator('tr', { hasText: 'serve' }).allInnerTexts()).some((t) => /serve\s+real\s+cancelled/.test(t))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
