import { readRuns } from '../../../src/runner/audit.ts';
import { resultsDir } from './evidence';

/** Every version's audit lines (results/<version>/runs/runs.jsonl), read when the page is built; a bad line stops the build. */
export const loadRuns = () => readRuns(resultsDir);
