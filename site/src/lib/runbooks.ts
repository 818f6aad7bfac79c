/**
 * The runbook scripts as the runner executes them: their exact bytes (for the page), and their
 * parameter schema, from which the command line (with a copy button) and the runner's form are
 * made.
 */
import { commandLine, paramsOf, type ParamInfo, type Runbook } from '../../../runbooks/lib/runbook.ts';

const sources = import.meta.glob<string>('../../../runbooks/*.ts', { query: '?raw', import: 'default', eager: true });
const modules = import.meta.glob<Runbook>('../../../runbooks/*.ts', { eager: true });

const key = (id: string) => `../../../runbooks/${id}.ts`;

export function scriptSource(id: string): string {
  const src = sources[key(id)];
  if (src === undefined) throw new Error(`runbooks/${id}.mdx has no script runbooks/${id}.ts`);
  return src;
}

function runbook(id: string): Runbook {
  const m = modules[key(id)];
  if (!m?.schema) throw new Error(`runbooks/${id}.ts exports no parameter schema (see runbooks/lib/runbook.ts)`);
  return m;
}

export const commandFor = (id: string): string => commandLine(id, runbook(id).schema);

/** What the page's form is built from: every parameter but the runner's own (`results`: the runner's --results). */
export const formParams = (id: string): ParamInfo[] => paramsOf(runbook(id).schema).filter((p) => p.name !== 'results');
