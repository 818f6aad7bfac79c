/**
 * The runbook scripts as the runner executes them: their exact bytes (for the page) and their
 * parameter specs (for the command line shown with a copy button).
 */
const sources = import.meta.glob<string>('../../../runbooks/*.ts', { query: '?raw', import: 'default', eager: true });
const modules = import.meta.glob<{ params?: { name: string; required?: boolean; multiple?: boolean }[] }>('../../../runbooks/*.ts', { eager: true });

const key = (id: string) => `../../../runbooks/${id}.ts`;

export function scriptSource(id: string): string {
  const src = sources[key(id)];
  if (src === undefined) throw new Error(`runbooks/${id}.mdx has no script runbooks/${id}.ts`);
  return src;
}

export function commandFor(id: string): string {
  const params = modules[key(id)]?.params ?? [];
  const args = params.filter((p) => p.required).map((p) => `--${p.name} <${p.name}>`);
  return ['npx', 'node', `runbooks/${id}.ts`, ...args].join(' ');
}
