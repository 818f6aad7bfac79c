// Child of scripts/bench-apt.ts, timed from outside: parse one Packages file and resolve the
// closure of the named packages, as `airgap lock` does. Prints JSON: counts and the two phases.
import { readFile } from 'node:fs/promises';
import { parsePackages, resolveClosure } from '../../src/apt/closure.ts';

const [packagesFile, arch, suite, ...names] = process.argv.slice(2);
let t = performance.now();
const pkgs = parsePackages(await readFile(packagesFile, 'utf8'), suite, packagesFile);
const parseMs = performance.now() - t;
t = performance.now();
const chosen = resolveClosure(pkgs, names.map((name) => ({ name })), arch);
const resolveMs = performance.now() - t;
process.stdout.write(JSON.stringify({ packages: pkgs.length, chosen: chosen.length, parseMs, resolveMs, names: chosen.map((p) => p.name) }) + '\n');
