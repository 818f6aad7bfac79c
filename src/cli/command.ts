import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../util/errors.ts';
import { checkExistingDir, checkWritableDir } from '../util/user-dir.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  /** usage line after `airgap <name>` */
  usage: string;
  /**
   * option name → [help text, shape]. `dir` marks a directory option, checked before the command
   * runs (see checkDirs): `writes` must be creatable and writable; `reads` must be a directory if
   * it exists (a missing one is the command's to word: "run mirror first"); `exists` must exist.
   */
  options: Record<string, { help: string; type: 'string' | 'boolean'; multiple?: boolean; default?: string; short?: string; dir?: 'writes' | 'reads' | 'exists' }>;
  /** it writes evidence under --results: that directory is checked before the work, not after */
  evidence?: boolean;
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

/**
 * Every directory option checked before any work, so that an unwritable --out or a file given as
 * --store stops the command at once with what and where, not after an hour, and not as a bug.
 * The flags declare it (`dir`), so a new verb gets the check by saying what its options are.
 */
export async function checkDirs(c: Command, values: Record<string, unknown>, resultsDir: string): Promise<void> {
  for (const [k, o] of Object.entries(c.options)) {
    const v = values[k];
    if (!o.dir || typeof v !== 'string' || v === '') continue;
    if (o.dir === 'writes') await checkWritableDir(v, `--${k}`);
    else await checkExistingDir(v, `--${k}`, `give an existing directory: ${o.help}`, o.dir === 'reads');
  }
  if (c.evidence) await checkWritableDir(resultsDir, values.results ? '--results' : process.env.AIRGAP_RESULTS ? '$AIRGAP_RESULTS' : 'the results directory');
}

export function need<T>(value: T | undefined, what: string, c: Command): T {
  if (value === undefined || value === '') throw new UsageError(`${what} is required`, `usage: airgap ${c.name} ${c.usage}`);
  return value;
}
