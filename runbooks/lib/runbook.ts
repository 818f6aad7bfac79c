/**
 * What every runbook script shares: its parameter list, --help, reading zx's argv, and the exit
 * status. A runbook's own file holds only its meta, its parameters and a run() that calls the
 * library; importing it runs nothing (the entry is guarded by `import.meta.main`).
 */
import { resolve } from 'node:path';
import { echo } from 'zx';
import { AirgapError } from '../../src/util/errors.ts';

export interface RunbookMeta {
  id: string;
  title: string;
  environment: 'A (connected)' | 'B (disconnected)';
}

export interface ParamSpec {
  /** the flag without dashes: `release` is `--release` */
  name: string;
  help: string;
  required?: boolean;
  /** may be given more than once (`--trust a.pub --trust b.pub`) */
  multiple?: boolean;
  /** a switch with no value */
  boolean?: boolean;
  /** shown in --help; applied by run() */
  default?: string;
}

export type ParamValues = Record<string, string | string[] | boolean | undefined>;

/** Bad parameters: exit 2, like the CLI. */
export class ParamError extends Error {}

/** Where evidence goes, the same rule as the CLI's --results. */
export const resultsDir = (given?: string) => resolve(given ?? process.env.AIRGAP_RESULTS ?? 'results');

export function helpText(meta: RunbookMeta, params: ParamSpec[]): string {
  const width = Math.max(...params.map((p) => p.name.length)) + 10;
  const flags = params.map((p) => (p.required ? `--${p.name} …` : `[--${p.name}${p.boolean ? '' : ' …'}]`));
  return [
    `runbook ${meta.id}: ${meta.title}   (environment ${meta.environment})`,
    '',
    `usage: node runbooks/${meta.id}.ts ${flags.join(' ')}`,
    '',
    'Parameters:',
    ...params.map((p) => {
      const flag = `--${p.name}${p.boolean ? '' : ' …'}`.padEnd(width);
      const notes = [p.required ? 'required' : '', p.multiple ? 'repeatable' : '', p.default ? `default: ${p.default}` : ''].filter(Boolean);
      return `  ${flag}${p.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    }),
    `  ${'--help'.padEnd(width)}show this help`,
    '',
    'Exit status: 0 success, 1 a check failed, 2 bad parameters.',
    '',
  ].join('\n');
}

/**
 * zx's argv (minimist) → checked values. minimist turns `--volume-size 1024` into a number and a
 * flag given twice into an array; this folds them back into strings and string lists.
 */
export function readParams(argv: Record<string, unknown>, params: ParamSpec[]): ParamValues {
  const known = new Map(params.map((p) => [p.name, p]));
  const out: ParamValues = {};
  for (const [key, raw] of Object.entries(argv)) {
    if (key === '_' || key === '--' || key === 'help') continue;
    const p = known.get(key);
    if (!p) throw new ParamError(`unknown parameter --${key}`);
    const list = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'number' ? String(v) : v));
    if (p.boolean) {
      out[key] = list.at(-1) === true || list.at(-1) === 'true';
      continue;
    }
    if (list.some((v) => typeof v !== 'string' || v === '')) throw new ParamError(`--${key} needs a value`);
    if (!p.multiple && list.length > 1) throw new ParamError(`--${key} given ${list.length} times; it takes one value`);
    out[key] = p.multiple ? (list as string[]) : (list[0] as string);
  }
  const positionals = (argv._ as unknown[] | undefined) ?? [];
  if (positionals.length) throw new ParamError(`unexpected argument "${String(positionals[0])}" (every parameter is a --flag)`);
  for (const p of params) if (p.required && out[p.name] === undefined) throw new ParamError(`--${p.name} is required`);
  return out;
}

/**
 * The guarded entry of a runbook script: --help, parameters, the work, and an exit status. Errors
 * print what went wrong and what to do, as the CLI does; a bug prints its stack.
 */
export async function entry(meta: RunbookMeta, params: ParamSpec[], argv: Record<string, unknown>, body: (v: ParamValues) => Promise<number>): Promise<void> {
  if (argv.help) {
    process.stdout.write(helpText(meta, params));
    return;
  }
  try {
    process.exitCode = await body(readParams(argv, params));
  } catch (err) {
    if (err instanceof ParamError) {
      process.stderr.write(`runbook ${meta.id}: ${err.message}\n  → see: node runbooks/${meta.id}.ts --help\n`);
      process.exitCode = 2;
    } else if (err instanceof AirgapError) {
      process.stderr.write(`runbook ${meta.id}: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`runbook ${meta.id}: unexpected error: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
    echo(`runbook ${meta.id}: FAILED (exit ${process.exitCode})`);
  }
}

export const str = (v: ParamValues[string]) => (typeof v === 'string' ? v : undefined);
export const list = (v: ParamValues[string]) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);
