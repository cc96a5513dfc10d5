/**
 * The one table of policy source file extensions: what a file holds by its name. It lives here,
 * in the lowest layer that reads policy files, so that the policy file loader (./policy-file.ts,
 * which takes modules only) and src/source (which picks the reader for every kind, through
 * src/source/kinds.ts) read the same rows. A new extension is one line of the table; every
 * message that lists extensions is made from it.
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

/** How messages name each kind, in the order they list them. */
const KIND_NAMES: Readonly<Record<SourceKind, string>> = { module: 'a policy file', oci: 'an OCI profile', filter: 'a compiled filter' };

/** The extension of the file `path` (lower case, with the dot), or '' when its name has none. */
export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** What the file `path` holds by its extension (case-insensitive), or undefined for another extension. */
export function sourceKind(path: string): SourceKind | undefined {
  const ext = extensionOf(path);
  return Object.hasOwn(SOURCE_EXTENSIONS, ext) ? SOURCE_EXTENSIONS[ext] : undefined;
}

/** The extensions of one kind, for messages: `.ts, .mts, ...`. */
export function extensionsOf(kind: SourceKind): string[] {
  return Object.keys(SOURCE_EXTENSIONS).filter((e) => SOURCE_EXTENSIONS[e] === kind);
}

/** Every kind with its extensions, for messages: `a policy file is .ts, ..., an OCI profile .json, a compiled filter .bpf`. */
export function describeExtensions(): string {
  return (Object.keys(KIND_NAMES) as SourceKind[]).map((k, i) => `${KIND_NAMES[k]}${i === 0 ? ' is' : ''} ${extensionsOf(k).join(', ')}`).join(', ');
}
