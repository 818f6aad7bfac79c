import { resolve } from 'node:path';
import { AirgapError } from '../util/errors.ts';
import { say } from '../util/progress.ts';
import { checkDirs, helpText, parse, type Command } from './command.ts';
import { fsError, isFsError } from '../util/fs-errors.ts';
import { lock } from './commands/lock.ts';
import { mirror } from './commands/mirror.ts';
import { bundle } from './commands/bundle.ts';
import { verify } from './commands/verify.ts';
import { importCmd } from './commands/import.ts';
import { serve } from './commands/serve.ts';
import { keygen } from './commands/keygen.ts';
import { demo } from './commands/demo.ts';
import { buildCmd } from './commands/build.ts';
import { preflightCmd } from './commands/preflight.ts';
import { publish } from './commands/publish.ts';
import { site } from './commands/site.ts';

export const commands: Command[] = [preflightCmd, lock, mirror, bundle, verify, importCmd, serve, buildCmd, publish, site, keygen, demo];

function usage(): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'airgap: build inputs carried across the air gap as signed, verifiable bundles',
    '',
    'Usage: airgap <command> [options]     airgap <command> --help',
    '',
    'Pipeline: lock → mirror → bundle  |gap|  verify → import → serve',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Exit status: 0 success, 1 a check failed, 2 bad usage.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('airgap 0.1.0\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`airgap: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let json = false;
  try {
    const { values, positionals } = parse(cmd, rest);
    json = Boolean(values.json);
    if (values.help) {
      process.stdout.write(helpText(cmd));
      return 0;
    }
    const resultsDir = resolve(String(values.results ?? process.env.AIRGAP_RESULTS ?? 'results'));
    await checkDirs(cmd, values, resultsDir);
    return await cmd.run({ values, positionals, global: { json, resultsDir, log: say } });
  } catch (caught) {
    // a file-system error that no step words itself (a disk filling up mid-bundle, a directory
    // made read-only under us) still says what, where and what to do: it is not a bug
    const err = isFsError(caught) ? fsError(caught) : caught;
    if (err instanceof AirgapError) {
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: err.message, hint: err.hint }) + '\n');
      process.stderr.write(`airgap ${name}: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
      return err.exitCode;
    }
    process.stderr.write(`airgap ${name}: unexpected error: ${(err as Error).stack ?? err}\n  → this is a bug; please report it with the command line\n`);
    return 1;
  }
}
