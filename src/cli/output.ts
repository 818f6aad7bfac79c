import type { GlobalOptions } from './command.ts';

/** stdout carries the result: JSON with --json, the human lines otherwise. */
export function print(g: GlobalOptions, json: unknown, human: string): void {
  process.stdout.write(g.json ? JSON.stringify(json, null, 2) + '\n' : human + '\n');
}

export const defaultStore = () => process.env.AIRGAP_STORE ?? 'airgap-store';
