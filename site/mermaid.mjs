// One place that says how diagrams are drawn: at build time, by mermaid in Debian's Chromium,
// into inline SVG, so pages need no script and read even from file://.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchOptions = {
  executablePath: chromiumPath,
  // root needs --no-sandbox; the rest stop Chromium's own calls home, which a closed network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export const mermaidConfig = { theme: 'neutral', fontFamily: 'system-ui, sans-serif' };
