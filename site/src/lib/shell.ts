/** An argument as one would type it in a shell: quoted only where needed. */
export const shellQuote = (x: string): string => (/^[\w@%+=:,./-]+$/.test(x) ? x : "'" + x.replace(/'/g, "'\\''") + "'");

/** An argument array as one command line to read or copy. */
export const shellLine = (args: string[]): string => args.map(shellQuote).join(' ');
