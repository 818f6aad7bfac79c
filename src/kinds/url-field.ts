import { z } from 'zod';
import { urlProblem } from '../util/url.ts';

/**
 * A URL field of factory.yaml: checked when the declaration is loaded, so that the error names
 * file:line and the field (`file.0.url`), not a TypeError from `new URL` in the middle of lock.
 * `{arch}` (file entries) is a placeholder the URL parser takes as it stands.
 */
export const urlField = (schemes = ['http:', 'https:', 'file:']) =>
  z.string().min(1).superRefine((text, ctx) => {
    const problem = urlProblem(text, schemes);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (write it like https://host/path${schemes.includes('file:') ? ' or file:///path' : ''})` });
  });
