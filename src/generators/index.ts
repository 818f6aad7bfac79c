import type { Generator } from './generator.ts';
import { kollaGenerator } from './kolla.ts';

/** Declaration sections that expand into other kinds at lock time. */
export const generators: Generator<any>[] = [kollaGenerator];
