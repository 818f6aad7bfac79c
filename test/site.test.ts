import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { workspace, airgap } from './helpers/workspace.ts';
import { serveStatic } from './helpers/static-server.ts';
import { buildSite, launchChromium } from './helpers/site.ts';

const ROOT = join(import.meta.dirname, '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'site');
/** build.json and airgap.json the demo does not write (it builds nothing): a clean build of the demo, and one that tried to leave. */
const FIXTURE_EVIDENCE = join(ROOT, 'test', 'fixtures', 'site-evidence');

async function pagesOf(dist: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dist, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name === 'index.html') out.push(`/${relative(dist, e.parentPath)}/`.replace(/\/+$/, '/').replace(/^\/\.\//, '/'));
  }
  return out.map((p) => (p === '//' ? '/' : p)).sort();
}

describe('the documentation site (Debian chromium, no network beyond loopback)', () => {
  let dir: string;
  let dist: string;
  let results: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;

  beforeAll(async () => {
    dir = await workspace('airgap-site-');
    results = join(dir, 'results');
    const demo = await airgap(['demo', '--workspace', join(dir, 'ws'), '--results', results]);
    expect(demo.code, demo.stderr).toBe(0);
    await cp(FIXTURE_EVIDENCE, results, { recursive: true });
    dist = join(dir, 'dist');
    const built = await buildSite(dist, results);
    expect(built.code, built.output).toBe(0);
    server = await serveStatic(dist);
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Open a page, failing on console errors, page errors and any request leaving the origin. */
  async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`external request: ${u}`);
    });
    const res = await page.goto(server.url + path, { waitUntil: 'networkidle' });
    if (!res || res.status() !== 200) problems.push(`HTTP ${res?.status()} for ${path}`);
    return { page, problems };
  }

  it('every page loads with no console error and no request outside the origin', async () => {
    const pages = await pagesOf(dist);
    expect(pages).toEqual(expect.arrayContaining(['/', '/architecture/', '/releases/', '/releases/0.1.0-demo/', '/releases/0.1.0-egress/']));
    const all: string[] = [];
    const queue = [...pages];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const { page, problems } = await open(p);
        all.push(...problems.map((x) => `${p}: ${x}`));
        await page.close();
      }
    }));
    expect(all).toEqual([]);
  });

  it('every internal link points at a page or file that exists', async () => {
    const broken: string[] = [];
    for (const p of await pagesOf(dist)) {
      const html = await readFile(join(dist, p, 'index.html'), 'utf8');
      for (const [, href] of html.matchAll(/<a [^>]*href="([^"#?]*)[^"]*"/g)) {
        if (!href || /^[a-z]+:/i.test(href)) continue;
        const target = href.startsWith('/') ? href : new URL(href, `http://x${p}`).pathname;
        const file = join(dist, decodeURIComponent(target), target.endsWith('/') ? 'index.html' : '');
        if (!(await readFile(file).then(() => true, () => false))) broken.push(`${p} → ${href}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every runbook script has a page, and the page shows exactly the file on disk', async () => {
    const scripts = (await readdir(join(ROOT, 'runbooks'))).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    expect(scripts.length).toBeGreaterThan(0);
    for (const id of scripts) {
      const { page, problems } = await open(`/runbooks/${id}/`);
      expect(problems, id).toEqual([]);
      // What the copy button copies (expressive-code keeps it in data-code, newlines as U+007F)
      // and what the page shows line by line must both be the file.
      const copied = (await page.locator(`[data-runbook-script="${id}"] button[data-code]`).getAttribute('data-code'))!.replaceAll('\u007f', '\n');
      const lines = await page.locator(`[data-runbook-script="${id}"] .ec-line`).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\n$/, '')));
      const shown = lines.join('\n');
      const file = await readFile(join(ROOT, 'runbooks', `${id}.ts`), 'utf8');
      expect(copied.replace(/\n+$/, ''), `runbooks/${id}.ts (copy button)`).toBe(file.replace(/\n+$/, ''));
      expect(shown.replace(/\n+$/, ''), `runbooks/${id}.ts (shown)`).toBe(file.replace(/\n+$/, ''));
      expect(await page.locator('figure:has-text("npx node runbooks/") button').first().count(), 'copy button').toBeGreaterThan(0);
      await page.close();
    }
  });

  it('search finds a runbook by a word in its body', async () => {
    const { page } = await open('/');
    await page.locator('button[data-open-modal]').first().click();
    const input = page.locator('#starlight__search input');
    await input.waitFor({ timeout: 15_000 });
    // a word of a runbook's body that few other pages use: with a common word ('minisig') the
    // runbooks fell below pagefind's first page of results once more documents used it
    await input.fill('reclaim');
    const hit = page.locator('#starlight__search .pagefind-ui__result-link[href*="/runbooks/"]').first();
    await hit.waitFor({ timeout: 15_000 });
    expect(await hit.getAttribute('href')).toMatch(/\/runbooks\//);
    await page.close();
  });

  it('a mermaid diagram is an inline SVG', async () => {
    const { page } = await open('/architecture/');
    const svgs = await page.locator('main svg[aria-roledescription]').count();
    expect(svgs).toBeGreaterThan(0);
    await page.close();
  });

  it("an evidence page shows the bundle's TOC digest and the traceability diagram", async () => {
    const bundle = JSON.parse(await readFile(join(results, '0.1.0-demo/bundle.json'), 'utf8'));
    const { page } = await open('/releases/0.1.0-demo/');
    expect(await page.locator('[data-evidence="toc-sha256"]').innerText()).toBe(bundle.tocSha256);
    expect(await page.locator('.mermaid-diagram svg').count()).toBe(1);
    const index = await open('/releases/');
    expect(await index.page.locator('a[href="/releases/0.1.0-demo/"]').count()).toBe(1);
    await page.close();
    await index.page.close();
  });

  it('an evidence page shows the builds by digest and the air gap: no attempt to leave, or each attempt', async () => {
    const build = JSON.parse(await readFile(join(results, '0.1.0-demo/build.json'), 'utf8'));
    const { page } = await open('/releases/0.1.0-demo/');
    expect(await page.locator('main h2#builds').count()).toBe(1);
    expect(await page.locator('main h2#air-gap').count()).toBe(1);
    expect(await page.locator('.right-sidebar a[href="#air-gap"], starlight-toc a[href="#air-gap"]').count()).toBeGreaterThan(0);
    const digests = await page.locator('[data-evidence="build-output-digest"]').allInnerTexts();
    expect(digests).toEqual(build.builds.flatMap((b: { outputs: { digest: string }[] }) => b.outputs.map((o) => o.digest)));
    expect(await page.locator('main').innerText()).toContain('127.0.0.1:8080/debian:bookworm');
    expect(await page.locator('[data-evidence="airgap-attempts"]').innerText()).toBe('0 attempts');
    expect(await page.locator('main').innerText()).toContain('0 attempts to reach anything but the repository server');
    expect(await page.locator('main details summary').first().innerText()).toMatch(/Sandbox setup: netns as root, \d+ steps/);
    await page.close();

    const egress = await open('/releases/0.1.0-egress/');
    expect(egress.problems).toEqual([]);
    expect(await egress.page.locator('[data-evidence="airgap-attempts"]').innerText()).toBe('5 attempts');
    expect(await egress.page.locator('[data-evidence="build-status"]').innerText()).toBe('FAILED');
    const text = await egress.page.locator('main').innerText();
    expect(text).toContain('tcp 203.0.113.7:443');
    expect(text).toContain('udp [2001:db8::53]:53');
    expect(text).toMatch(/example\.com\s+AAAA\s+2/);
    await egress.page.close();

    const index = await open('/releases/');
    const row = (v: string) => index.page.locator('tr', { has: index.page.locator(`a[href="/releases/${v}/"]`) });
    expect(await row('0.1.0-demo').locator('td[title="build: ok"]').count()).toBe(1);
    expect(await row('0.1.0-demo').locator('td[title="airgap: ok"]').count()).toBe(1);
    expect(await row('0.1.0-egress').locator('td[title="build: bad"]').count()).toBe(1);
    expect(await row('0.1.0-egress').locator('td[title="airgap: bad"]').count()).toBe(1);
    await index.page.close();
  });

  it('an evidence page shows what was published to Glance: the id, our sha256, the checksums read back', async () => {
    const pub = JSON.parse(await readFile(join(results, '0.1.0-demo/publish.json'), 'utf8'));
    const { page } = await open('/releases/0.1.0-demo/');
    const text = await page.locator('main').innerText();
    expect(await page.locator('h2#published').count()).toBe(1);
    for (const x of [pub.images[0].id, pub.images[0].sha256, pub.images[0].checksum, 'marketplace_category=os']) expect(text).toContain(x);
    await page.close();
  });

  it('screenshots at desktop and phone widths are not blank (kept in test-artifacts/site/)', async () => {
    for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const path of ['/', '/releases/0.1.0-demo/', '/runbooks/verify/']) {
        const { page } = await open(path, viewport);
        const png = await page.screenshot({ fullPage: false });
        const file = join(ARTIFACTS, `${name}${path.replace(/\//g, '_')}.png`);
        await writeFile(file, png);
        // Let the browser decode its own screenshot: count pixels that differ from the background.
        const inked = await page.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width; c.height = img.height;
          const ctx = c.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          const d = ctx.getImageData(0, 0, c.width, c.height).data;
          const bg = [d[0], d[1], d[2]];
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 60) n++;
          return n / (d.length / 4);
        }, png.toString('base64'));
        expect(inked, `${file} looks blank`).toBeGreaterThan(0.01);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} ${path} scrolls sideways`).toBeLessThanOrEqual(1);
        await page.close();
      }
    }
  });

  it('an invalid evidence field fails the build, naming the file and the field', async () => {
    const broken = join(dir, 'broken-results');
    await cp(results, broken, { recursive: true });
    const f = join(broken, '0.1.0-demo/bundle.json');
    const ev = JSON.parse(await readFile(f, 'utf8'));
    ev.volumes[0].sha256 = 'not-a-digest';
    await writeFile(f, JSON.stringify(ev));
    const r = await buildSite(join(dir, 'dist-broken'), broken);
    expect(r.code, 'the build should have failed').not.toBe(0);
    expect(r.output).toMatch(/results\/0\.1\.0-demo\/bundle\.json: field "volumes\.0\.sha256"/);
  });
});
