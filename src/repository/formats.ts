/**
 * The repository formats the embedded server knows, the one list of them: a kind names one of
 * these as where its artifacts are served (Kind.repository.format), and serve keeps a handler per
 * format in a table the compiler holds to this list. A new kind reuses a format; a new format is
 * a new handler in src/serve/ and a word here.
 *   raw   files under their path          apt   a Debian repository (served as files)
 *   pypi  PEP 503/691 simple index        git   bare repositories over smart HTTP
 *   oci   the image layout, served at /v2/ (not under /repository/)
 */
export const REPOSITORY_FORMATS = ['raw', 'apt', 'pypi', 'git', 'oci'] as const;
export type RepositoryFormat = (typeof REPOSITORY_FORMATS)[number];
