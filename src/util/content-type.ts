import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.wasm': 'application/wasm', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8', '.jsonl': 'text/plain; charset=utf-8',
};

/** The Content-Type of a file a static server sends, by its extension. */
export const contentType = (file: string): string => TYPES[extname(file)] ?? 'application/octet-stream';
