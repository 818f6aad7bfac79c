import type { z } from 'zod';

/** An id that failed its schema is still printed: with its control characters escaped, so it cannot forge output lines. */
const printable = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export interface NamedIssue { field: string; message: string; artifact?: string }

/**
 * zod issues as a reviewer reads them: the field's path, and the id of the artifact it is in when
 * the document has an `artifacts` list (a lock or a TOC), so a refusal names what it is about.
 */
export function namedIssues(raw: unknown, error: z.ZodError, max = 20): NamedIssue[] {
  return error.issues.slice(0, max).map((i) => {
    const [top, index] = i.path;
    const list = top === 'artifacts' && raw && typeof raw === 'object' ? (raw as { artifacts?: unknown }).artifacts : undefined;
    const item = Array.isArray(list) && typeof index === 'number' ? list[index] : undefined;
    const id = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
    return { field: i.path.join('.') || '(top level)', message: i.message, ...(typeof id === 'string' ? { artifact: printable(id.slice(0, 200)) } : {}) };
  });
}

/** One issue as a line: `<where>: <field>: <message>`, without a field for the whole file ('(file)'). */
export function issueText(where: string, i: NamedIssue): string {
  return `${where}: ${i.field === '(file)' ? '' : `${i.field}: `}${i.message}`;
}
