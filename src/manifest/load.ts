import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { manifestSchema, type Manifest } from './schema.ts';
import { UsageError } from '../util/errors.ts';

export const MANIFEST = 'factory.yaml';
const MAX_ALIASES = 100;

/**
 * Read and validate releases/<version>/factory.yaml. `${NAME}` in a value is taken from the
 * environment (so one declaration serves mirrors at different addresses); an unset name is an
 * error. Every error names file:line and the field.
 */
export async function loadManifest(releaseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ manifest: Manifest; path: string; text: string }> {
  const path = join(releaseDir, MANIFEST);
  const text = await readFile(path, 'utf8').catch((err) => {
    throw new UsageError(`${path}: ${err.code === 'ENOENT' ? 'not found' : err.message}`, 'a release directory holds factory.yaml (see releases/demo/)');
  });
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return path;
    const { line, col } = lines.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new UsageError(`${where(e.pos[0])}: ${e.message.split('\n')[0]}`);
  }
  const missing: string[] = [];
  let raw: unknown;
  try {
    raw = doc.toJS({
      // yaml's own default, said here because the message names it
      maxAliasCount: MAX_ALIASES,
      reviver: (_k: unknown, v: unknown) => typeof v === 'string'
        ? v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
          const value = env[name];
          if (value === undefined) missing.push(name);
          return value ?? '';
        })
        : v,
    });
  } catch (err) {
    // yaml refuses aliases that expand past maxAliasCount (a "billion laughs" document would
    // otherwise take all memory), with a ReferenceError: a bad declaration, not a bug
    if (err instanceof ReferenceError) throw new UsageError(`${path}: ${err.message} (aliases expand to more than ${MAX_ALIASES} nodes)`, 'write the values out, or use fewer YAML aliases (*name)');
    throw err;
  }
  if (missing.length) throw new UsageError(`${path}: environment variable ${[...new Set(missing)].join(', ')} not set`, 'set it, or write the value into factory.yaml');
  const parsed = manifestSchema().safeParse(raw);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => `${where(nodeAt(doc.contents, i.path)?.range?.[0])}: ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new UsageError(msgs.join('\n'), 'fix factory.yaml; the fields each kind takes are in docs/lld/manifest.md');
  }
  return { manifest: parsed.data as Manifest, path, text };
}

/** The deepest YAML node on a path, for a line number even when the leaf itself is missing. */
function nodeAt(node: unknown, path: PropertyKey[]): YamlNode | undefined {
  let cur = node as YamlNode | undefined;
  for (const key of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) return cur;
      cur = (pair.value as YamlNode) ?? (pair.key as YamlNode);
    } else if (isSeq(cur) && typeof key === 'number') {
      const item = cur.items[key] as YamlNode | undefined;
      if (!item) return cur;
      cur = item;
    } else return cur;
  }
  return cur;
}
