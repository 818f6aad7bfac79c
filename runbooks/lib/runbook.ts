/**
 * The shape every runbook shares, for the shell, Zuul and the page alike: a module exports
 * `meta`, a zod `schema` of its parameters, a pure `plan()` (the dry run) and `run()`. The schema
 * is the one description of the parameters: the shell's flags and --help, the runner's check,
 * the page's form and its command line are all derived from it here. Importing a runbook runs
 * nothing (its entry is guarded by `import.meta.main`), and nothing here reads a file at load
 * time: the site bundles these modules.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { echo } from 'zx';
import { AirgapError } from '../../src/util/errors.ts';
import { say } from '../../src/util/progress.ts';

export interface RunbookMeta {
  id: string;
  title: string;
  environment: 'A (connected)' | 'B (disconnected)';
}

/** An object of strings, string lists (repeatable flags) and switches; `.strict()`, so an unknown key is refused. */
export type ParamSchema = z.ZodObject;

export interface RunContext {
  /** a result line for the operator (stdout) */
  echo(line: string): void;
  /** progress from the library (stderr) */
  log(message: string): void;
}

export interface Runbook<S extends ParamSchema = ParamSchema> {
  meta: RunbookMeta;
  schema: S;
  /** What run() would do, in order. Pure: no network, no files, so the dry run is always safe. */
  plan(p: z.output<S>): string[];
  /** The work; resolves to the exit status (0 done, 1 a check failed). */
  run(p: z.output<S>, ctx: RunContext): Promise<number>;
}

/** The context of a script run from the shell (and the runner's child: the same process). */
export const shellContext: RunContext = { echo: (line) => echo(line), log: say };

/**
 * Marks a parameter as secret: it is read from the environment variable `env`, never from the
 * command line (argv shows in /proc and in logs), and the runner masks its value everywhere.
 */
export const secret = (env: string, description: string) => z.string().optional().meta({ description, secret: true, env });

/** Bad parameters: exit 2, like the CLI. */
export class ParamError extends Error {}

/** Where evidence goes, the same rule as the CLI's --results. */
export const resultsDir = (given?: string) => resolve(given ?? process.env.AIRGAP_RESULTS ?? 'results');

/** The plan's wording for where evidence goes (pure: names the rule, reads nothing). */
export const evidencePath = (results: string | undefined, file: string) => `${results ?? 'results'}/<version>/${file}`;

export interface ParamInfo {
  /** the schema key: `volumeSize` */
  name: string;
  /** the shell flag: `--volume-size` */
  flag: string;
  kind: 'string' | 'list' | 'switch';
  required: boolean;
  default?: string | boolean;
  choices?: string[];
  help: string;
  /** secret: read from this environment variable, never a flag */
  env?: string;
  secret: boolean;
}

interface JsonProperty { type?: string; description?: string; default?: string | boolean; enum?: string[]; secret?: boolean; env?: string }

const described = new WeakMap<ParamSchema, ParamInfo[]>();

/** The parameters as plain data (also emitted into the runbook's page for its form), from zod's own JSON Schema of the input. */
export function paramsOf(schema: ParamSchema): ParamInfo[] {
  const known = described.get(schema);
  if (known) return known;
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonProperty>; required?: string[] };
  const out = Object.entries(js.properties ?? {}).map(([name, p]): ParamInfo => {
    const kind = p.type === 'array' ? 'list' : p.type === 'boolean' ? 'switch' : p.type === 'string' ? 'string' : undefined;
    if (!kind) throw new Error(`runbook parameter "${name}": only strings, lists of strings and switches can be flags (got ${p.type})`);
    return {
      name, flag: `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, kind,
      required: js.required?.includes(name) ?? false, default: p.default, choices: p.enum, help: p.description ?? '',
      secret: p.secret === true, env: p.env,
    };
  });
  described.set(schema, out);
  return out;
}

export function helpText(meta: RunbookMeta, schema: ParamSchema): string {
  const params = paramsOf(schema);
  const flags = params.filter((p) => !p.secret);
  const secrets = params.filter((p) => p.secret);
  const width = Math.max(...flags.map((p) => p.flag.length), ...secrets.map((p) => (p.env ?? '').length), 9) + 6;
  const value = (p: ParamInfo) => (p.kind === 'switch' ? '' : ' …');
  const notes = (p: ParamInfo) => {
    const n = [p.required ? 'required' : '', p.kind === 'list' ? 'repeatable' : '', p.choices ? `one of ${p.choices.join(', ')}` : '', p.default !== undefined && p.default !== false ? `default: ${p.default}` : ''].filter(Boolean);
    return n.length ? ` (${n.join('; ')})` : '';
  };
  return [
    `runbook ${meta.id}: ${meta.title}   (environment ${meta.environment})`,
    '',
    `usage: node runbooks/${meta.id}.ts ${flags.map((p) => (p.required ? `${p.flag} …` : `[${p.flag}${value(p)}]`)).join(' ')} [--dry-run]`,
    '',
    'Parameters:',
    ...flags.map((p) => `  ${`${p.flag}${value(p)}`.padEnd(width)}${p.help}${notes(p)}`),
    `  ${'--dry-run'.padEnd(width)}print the plan (what it would do, in order) and do nothing`,
    `  ${'--help'.padEnd(width)}show this help`,
    ...(secrets.length ? ['', 'Secrets (read from the environment, never from the command line):', ...secrets.map((p) => `  ${p.env!.padEnd(width)}${p.help}`)] : []),
    '',
    'Exit status: 0 success, 1 a check failed, 2 bad parameters.',
    '',
  ].join('\n');
}

/** zod's issues as lines naming the flag (or the variable) an operator would fix. */
export function issueLines(schema: ParamSchema, issues: z.core.$ZodIssue[]): string[] {
  const byName = new Map(paramsOf(schema).map((p) => [p.name, p]));
  return issues.map((i) => {
    const p = byName.get(String(i.path[0]));
    const where = p ? (p.secret ? `$${p.env}` : p.flag) : i.path.length ? i.path.join('.') : 'parameters';
    const missing = i.code === 'invalid_type' && /received undefined/.test(i.message);
    return missing ? `${where} is required` : `${where}: ${i.message}`;
  });
}

/** Parameters from a shell: the flags, then each secret from its environment variable; checked by the schema. */
export function readArgs(schema: ParamSchema, args: string[], env: NodeJS.ProcessEnv): { help: boolean; dryRun: boolean; params: Record<string, unknown> } {
  const params = paramsOf(schema);
  const flags = params.filter((p) => !p.secret);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' }, 'dry-run': { type: 'boolean' } };
  for (const p of flags) options[p.flag.slice(2)] = { type: p.kind === 'switch' ? 'boolean' : 'string', ...(p.kind === 'list' ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw new ParamError((err as Error).message);
  }
  if (parsed.values.help) return { help: true, dryRun: false, params: {} };
  const input: Record<string, unknown> = {};
  for (const p of flags) {
    const given = parsed.tokens.filter((t) => t.kind === 'option' && t.name === p.flag.slice(2)).length;
    const v = parsed.values[p.flag.slice(2)];
    if (v === undefined) continue;
    if (p.kind !== 'list' && given > 1) throw new ParamError(`${p.flag} given ${given} times; it takes one value`);
    input[p.name] = v;
  }
  for (const p of params) if (p.secret && env[p.env!]) input[p.name] = env[p.env!];
  const checked = checkParams(schema, input);
  if (!checked.ok) throw new ParamError(checked.issues.join('\n'));
  return { help: false, dryRun: parsed.values['dry-run'] === true, params: checked.params };
}

/**
 * Values checked by the schema, with one rule of our own first: an empty value is missing, not a
 * value (`--bundle=` is a mistake). The shell and the runner both check with this.
 */
export function checkParams(schema: ParamSchema, input: Record<string, unknown>): { ok: true; params: Record<string, unknown> } | { ok: false; issues: string[] } {
  const empty = paramsOf(schema).filter((p) => input[p.name] === '' || (Array.isArray(input[p.name]) && (input[p.name] as unknown[]).includes('')));
  if (empty.length) return { ok: false, issues: empty.map((p) => `${p.secret ? `$${p.env}` : p.flag} needs a value`) };
  const checked = schema.safeParse(input);
  return checked.success ? { ok: true, params: checked.data } : { ok: false, issues: issueLines(schema, checked.error.issues) };
}

/** The plan as the dry run prints it. */
export function planText(meta: RunbookMeta, steps: string[]): string {
  return [`runbook ${meta.id}: dry run, nothing is done. The plan:`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
}

/**
 * The guarded entry of a runbook script: --help, parameters, --dry-run or the work, and an exit
 * status. Errors print what went wrong and what to do, as the CLI does; a bug prints its stack.
 */
export async function main(rb: Runbook, args = process.argv.slice(2), env = process.env): Promise<void> {
  const { meta } = rb;
  try {
    const r = readArgs(rb.schema, args, env);
    if (r.help) return void process.stdout.write(helpText(meta, rb.schema));
    if (r.dryRun) return void echo(planText(meta, rb.plan(r.params)));
    process.exitCode = await rb.run(r.params, shellContext);
  } catch (err) {
    if (err instanceof ParamError) {
      process.stderr.write(`runbook ${meta.id}: ${err.message.split('\n').join(`\nrunbook ${meta.id}: `)}\n  → see: node runbooks/${meta.id}.ts --help\n`);
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

/**
 * The command line for checked values: an argument array (never one string), every value as
 * `--flag=value` so that a value starting with "-" stays a value. Secrets are left out: they go
 * in `secretEnv`.
 */
export function argsFor(schema: ParamSchema, values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const p of paramsOf(schema)) {
    const v = values[p.name];
    if (p.secret || v === undefined) continue;
    if (p.kind === 'switch') { if (v === true) out.push(p.flag); continue; }
    for (const one of Array.isArray(v) ? v : [v]) out.push(`${p.flag}=${String(one)}`);
  }
  return out;
}

/** The environment variables that carry the secrets among checked values. */
export function secretEnv(schema: ParamSchema, values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paramsOf(schema)) if (p.secret && typeof values[p.name] === 'string' && values[p.name]) out[p.env!] = values[p.name] as string;
  return out;
}

/** The values with every secret replaced by "***": what logs, the audit line and pages may show. */
export function maskedParams(schema: ParamSchema, values: Record<string, unknown>): Record<string, unknown> {
  const secrets = new Set(paramsOf(schema).filter((p) => p.secret).map((p) => p.name));
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, secrets.has(k) ? '***' : v]));
}

/** The shell command a page shows: the script and its required flags as placeholders. */
export function commandLine(id: string, schema: ParamSchema): string {
  const args = paramsOf(schema).filter((p) => p.required && !p.secret).map((p) => `${p.flag} <${p.flag.slice(2)}>`);
  return ['npx', 'node', `runbooks/${id}.ts`, ...args].join(' ');
}
