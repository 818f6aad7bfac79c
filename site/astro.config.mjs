import { defineConfig } from 'astro/config';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import starlight from '@astrojs/starlight';
import { unified } from '@astrojs/markdown-remark';
import rehypeMermaid from 'rehype-mermaid';
import rehypeRepoLinks from './plugins/rehype-repo-links.mjs';
import { launchOptions, mermaidConfig } from './mermaid.mjs';

const repo = new URL('..', import.meta.url);
const titleOf = (file) => /^title:\s*["']?(.+?)["']?\s*$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? file;
// Every page takes the runner's token from the URL fragment (#token=…, printed by airgap site serve)
// into this tab's session storage and drops it from the address bar: it never goes to a server.
const RUNNER_TOKEN = "(()=>{const m=/^#token=([A-Za-z0-9._~-]{32,})$/.exec(location.hash);if(m){sessionStorage.setItem('airgap-runner-token',m[1]);history.replaceState(null,'',location.pathname+location.search);}})();";
const runbooks = readdirSync(new URL('runbooks/', repo)).filter((f) => f.endsWith('.mdx')).sort()
  .map((f) => ({ label: titleOf(new URL(`runbooks/${f}`, repo)), link: `/runbooks/${f.replace(/\.mdx$/, '')}/` }));

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  telemetry: false,
  // Pages read results/ and runbooks/ at build time; bundled code cannot find them by its own URL.
  // AIRGAP_SITE_RESULTS publishes evidence from elsewhere (a release manager's copy, a test).
  vite: { define: {
    __RESULTS_DIR__: JSON.stringify(process.env.AIRGAP_SITE_RESULTS ?? fileURLToPath(new URL('results/', repo))),
  } },
  markdown: {
    syntaxHighlight: { type: 'shiki', excludeLangs: ['mermaid'] },
    processor: unified({ rehypePlugins: [rehypeRepoLinks, [rehypeMermaid, { strategy: 'inline-svg', launchOptions, mermaidConfig }]] }),
  },
  integrations: [
    starlight({
      title: 'Air-Gapped Image Factory',
      description: 'Build OpenStack images with no internet: signed bundles, served repositories, evidence.',
      pagefind: true,
      lastUpdated: false,
      customCss: ['./src/styles/site.css'],
      head: [{ tag: 'script', content: RUNNER_TOKEN }],
      sidebar: [
        { label: 'Start', items: [{ label: 'Overview', link: '/' }, { label: 'Scope and terms', link: '/scope/' }, { label: 'Roadmap', link: '/roadmap/' }] },
        { label: 'Architecture', items: [{ label: 'High-level design', link: '/architecture/' }, { label: 'Low-level design', collapsed: true, items: [{ autogenerate: { directory: 'lld' } }] }] },
        { label: 'Runbooks', items: runbooks },
        { label: 'Releases and evidence', items: [{ label: 'All versions', link: '/releases/' }, { label: 'Runs from the page', link: '/runs/' }] },
        { label: 'Troubleshooting', link: '/troubleshooting/' },
        { label: 'Decisions (ADRs)', collapsed: true, items: [{ autogenerate: { directory: 'adr' } }] },
        { label: 'Battle log', collapsed: true, items: [{ autogenerate: { directory: 'battle-log' } }] },
      ],
    }),
  ],
});
