import { createMermaidRenderer } from 'mermaid-isomorphic';
import { launchOptions, mermaidConfig } from '../../mermaid.mjs';

let renderer: ReturnType<typeof createMermaidRenderer> | undefined;

/** Diagrams generated from data (evidence) drawn exactly like the ones written in Markdown. */
export async function renderMermaid(diagram: string): Promise<string> {
  renderer ??= createMermaidRenderer({ launchOptions });
  const [result] = await renderer([diagram], { mermaidConfig });
  if (result.status !== 'fulfilled') throw new Error(`mermaid: ${String(result.reason)}`);
  return result.value.svg;
}
