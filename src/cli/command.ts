import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../util/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  /** usage line after `airgap <name>` */
  usage: string;
  /** option name → [help text, shape] */
  options: Record<string, { help: string; type: 'string' | 'boolean'; multiple?: boolean; default?: string; short?: string }>;
  positionals?: { name: string; help: string }[];
  details?: string;
  run(args: { values: Record<string, any>; positionals: string[]; global: GlobalOptions }): Promise<number>;
}

export interface GlobalOptions {
  json: boolean;
  resultsDir: string;
  log: (m: string) => void;
}

export const GLOBAL_OPTIONS: Command['options'] = {
  json: { help: 'print the result as JSON on stdout', type: 'boolean' },
  results: { help: 'where evidence goes (default: ./results, or $AIRGAP_RESULTS)', type: 'string' },
  help: { help: 'show this help', type: 'boolean' },
};

export function helpText(c: Command): string {
  const opts = { ...c.options, ...GLOBAL_OPTIONS };
  const width = Math.max(...Object.keys(opts).map((k) => k.length)) + 8;
  const lines = [`airgap ${c.name} ${c.usage}`, '', c.summary, ''];
  if (c.positionals?.length) {
    lines.push('Arguments:');
    for (const p of c.positionals) lines.push(`  ${p.name.padEnd(width)}${p.help}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const [k, o] of Object.entries(opts)) lines.push(`  ${`${o.short ? `-${o.short}, ` : ''}--${k}${o.type === 'string' ? ' …' : ''}`.padEnd(width)}${o.help}${o.default ? ` (default: ${o.default})` : ''}`);
  if (c.details) lines.push('', c.details.trim());
  return lines.join('\n') + '\n';
}

export function parse(c: Command, argv: string[]) {
  const options: Options = {};
  for (const [k, o] of Object.entries({ ...c.options, ...GLOBAL_OPTIONS })) {
    options[k] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, `see: airgap ${c.name} --help`);
  }
}

export function need<T>(value: T | undefined, what: string, c: Command): T {
  if (value === undefined || value === '') throw new UsageError(`${what} is required`, `usage: airgap ${c.name} ${c.usage}`);
  return value;
}
