/**
 * The served URL layout, owned here and nowhere else: Nexus-style `/repository/<name>/<path>`
 * for every repository, so clients configured for Nexus work unchanged. Generic code, builders
 * and kinds ask these functions for a URL instead of writing the prefix.
 */
export const REPOSITORY_PREFIX = '/repository';

/** `/repository/<name>/<path…>` (a trailing "" keeps a trailing slash: index pages). */
export function repositoryPath(name: string, ...path: string[]): string {
  return [REPOSITORY_PREFIX, name, ...path].join('/');
}

/** The same path on a server: `<serverUrl>/repository/<name>/<path…>`. */
export function repositoryUrl(serverUrl: string, name: string, ...path: string[]): string {
  return `${serverUrl.replace(/\/+$/, '')}${repositoryPath(name, ...path)}`;
}
