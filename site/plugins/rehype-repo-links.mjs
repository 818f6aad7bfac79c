import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { visit } from 'unist-util-visit';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A repository path (relative to the root) → the site route that renders it, if any. */
export function routeOf(path) {
  const p = path.replace(/\\/g, '/');
  let m;
  if (/^docs\/index\.mdx?$/.test(p)) return '/';
  if ((m = /^docs\/(.+)\.mdx?$/.exec(p))) return `/${m[1].toLowerCase()}/`;
  if ((m = /^(adr|battle-log)\/([^/]+)\.md$/.exec(p))) return `/${m[1]}/${m[2].toLowerCase()}/`;
  if (p === 'releases/ROADMAP.md') return '/roadmap/';
  if ((m = /^runbooks\/([^/]+)\.(mdx|ts)$/.exec(p))) return `/runbooks/${m[1]}/`;
  return undefined;
}

/**
 * Docs link to each other the way they read on disk and in a code review (`../adr/0002-….md`);
 * on the site those become the pages' routes. A link to a file the site does not render (source
 * code) becomes plain code text rather than a dead link.
 */
export default function rehypeRepoLinks() {
  return (tree, file) => {
    const from = file.path ? dirname(file.path) : undefined;
    if (!from) return;
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'a' || typeof node.properties?.href !== 'string') return;
      const href = node.properties.href;
      if (/^([a-z]+:|#|\/)/i.test(href)) return;
      const [path, hash] = href.split('#');
      let decoded;
      try { decoded = decodeURIComponent(path); } catch { return; }
      const target = relative(repo, resolve(from, decoded));
      if (target.startsWith('..')) return;
      const route = routeOf(target);
      if (route) node.properties.href = route + (hash ? `#${hash}` : '');
      else if (parent && index !== undefined) parent.children[index] = { type: 'element', tagName: 'code', properties: { title: target }, children: node.children.length ? node.children : [{ type: 'text', value: target }] };
    });
  };
}
