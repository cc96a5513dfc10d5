/**
 * The one table of policy source file extensions: what a file is by its name. Every command,
 * the test API and jail read files through it, so they accept the same names.
 */

/** `module`: a policy file (TypeScript or JavaScript, `export default policy({...})`); `oci`: an OCI / Docker seccomp profile; `filter`: compiled `struct sock_filter[]` bytes. */
export type SourceKind = 'module' | 'oci' | 'filter';

/** File extensions (lower case, with the dot) and what they hold. */
export const SOURCE_EXTENSIONS: Readonly<Record<string, SourceKind>> = {
  '.ts': 'module',
  '.mts': 'module',
  '.cts': 'module',
  '.js': 'module',
  '.mjs': 'module',
  '.cjs': 'module',
  '.json': 'oci',
  '.bpf': 'filter',
};

/** What the file `path` holds by its extension (case-insensitive), or undefined for another extension. */
export function sourceKind(path: string): SourceKind | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return Object.hasOwn(SOURCE_EXTENSIONS, base.slice(dot).toLowerCase()) ? SOURCE_EXTENSIONS[base.slice(dot).toLowerCase()] : undefined;
}

/** The extensions of one kind, for messages: `.ts, .mts, ...`. */
export function extensionsOf(kind: SourceKind): string[] {
  return Object.keys(SOURCE_EXTENSIONS).filter((e) => SOURCE_EXTENSIONS[e] === kind);
}
