/**
 * Loading a policy for the commands that talk about its rules (`explain`, `disasm --source`): a
 * .ts/.js policy or an OCI profile (.json) lowered to IR, with where each rule was written (the
 * DSL records file:line:column per rule; an OCI profile has no locations, its rules are named
 * `syscalls[N]` by their origin path). Diagnostics go to stderr; errors end in a UserError.
 */
import { isAbsolute, relative } from 'node:path';
import { sourceKind } from '../../source/kinds.js';
import type { SourceLocation } from '../../ir/spec.js';
import type { PolicyIR } from '../../ir/types.js';
import { UsageError, UserError, type CliIO } from '../io.js';

export interface PolicySource {
  readonly ir: PolicyIR;
  /** Where the rule with this index (`RuleOrigin.index`) was written, file relative to the working directory when below it. */
  readonly locate: (ruleIndex: number) => SourceLocation | undefined;
}

/** `path` lowered for `arches` (default: the policy's own); `verb` says what was not done ("not explained"). */
export async function loadPolicySource(path: string, arches: readonly string[] | undefined, io: CliIO, verb: string): Promise<PolicySource> {
  const { loadPolicySource: load, SourceError } = await import('../../source/load.js');
  if (sourceKind(path) === 'oci' && arches && arches.length > 1) {
    throw new UsageError('--arch: an OCI profile names its own architectures; give at most one (the native arch)');
  }
  let loaded;
  try {
    loaded = await load(path, { otherwise: 'module', ...(arches ? { arch: arches } : {}) });
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    if (e.errors.length === 0) throw new UserError(e.message);
    for (const d of e.diagnostics) io.stderr.write(`${d.text}\n`);
    throw new UserError(`${path}: ${verb} (errors above)`);
  }
  for (const d of loaded.diagnostics) io.stderr.write(`${d.text}\n`);
  const spec = loaded.spec;
  return { ir: loaded.ir, locate: (i) => (spec ? relativeLocation(spec.rules[i]?.location ?? spec.location, process.cwd()) : undefined) };
}

/** The location with its file relative to `dir` when it lies below it. */
export function relativeLocation(l: SourceLocation | undefined, dir: string): SourceLocation | undefined {
  if (!l) return undefined;
  const rel = relative(dir, l.file);
  return rel.startsWith('..') || isAbsolute(rel) ? l : { ...l, file: rel };
}
