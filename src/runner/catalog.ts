import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { paramsOf, type Runbook } from '../../runbooks/lib/runbook.ts';
import { UsageError } from '../util/errors.ts';

export interface CatalogEntry {
  id: string;
  /** the script the child runs */
  script: string;
  runbook: Runbook;
}

/**
 * The allow-list: the runbook modules of one directory, by id (the file name). Only these run,
 * and only as `node <script> --flag=value…`: there is no way to name another program.
 */
export async function loadCatalog(dir: string): Promise<Map<string, CatalogEntry>> {
  const root = resolve(dir);
  const files = await readdir(root).catch(() => {
    throw new UsageError(`--runbooks ${dir}: no such directory`, 'name the directory holding the runbook scripts (default: the project\'s runbooks/)');
  });
  const out = new Map<string, CatalogEntry>();
  for (const f of files.filter((x) => /^[a-z0-9][a-z0-9-]*\.ts$/.test(x)).sort()) {
    const id = f.replace(/\.ts$/, '');
    const script = join(root, f);
    const m = (await import(pathToFileURL(script).href)) as Partial<Runbook>;
    if (m.meta?.id !== id || typeof m.schema?.safeParse !== 'function' || typeof m.plan !== 'function' || typeof m.run !== 'function') {
      throw new UsageError(`${script}: not a runbook module (it must export meta with id "${id}", schema, plan and run)`, 'see runbooks/lib/runbook.ts');
    }
    paramsOf(m.schema); // a schema that cannot be described as flags fails here, at start, not at the first run
    out.set(id, { id, script, runbook: m as Runbook });
  }
  if (!out.size) throw new UsageError(`--runbooks ${dir}: no runbook scripts (*.ts) in it`);
  return out;
}
