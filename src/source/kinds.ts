/**
 * What a policy source file is by its name, for every command, the test API and jail: the one
 * extension table (src/loader/extensions.ts, where the policy file loader reads it too), and the
 * kind of a file a caller must know, with the message that lists the table when it is unknown.
 */
import { describeExtensions, sourceKind, type SourceKind } from '../loader/extensions.js';
import { SourceError, type SourceOptions } from './types.js';

export { describeExtensions, extensionsOf, SOURCE_EXTENSIONS, sourceKind, type SourceKind } from '../loader/extensions.js';

/** The kind of the file at `path`, by the table or `options.otherwise`; a SourceError when neither knows it. */
export function fileKind(path: string, options: SourceOptions = {}): SourceKind {
  const kind = sourceKind(path) ?? options.otherwise;
  if (kind) return kind;
  throw new SourceError(`${path}: not a policy source: ${describeExtensions()}`);
}
