/**
 * Loading a policy for the commands that talk about its rules (`explain`, `disasm --source`): a
 * .ts/.js policy or an OCI profile (.json) lowered to IR, with where each rule was written (the
 * DSL records file:line:column per rule; an OCI profile has no locations, its rules are named
 * `syscalls[N]` by their origin path). Diagnostics go to stderr; errors end in a UserError.
 */
import { extname, isAbsolute, relative } from 'node:path';
import type { SourceLocation } from '../dsl/spec.js';
import type { PolicyIR } from '../ir/types.js';
import { UserError, type CliIO } from './io.js';

export interface PolicySource {
  readonly ir: PolicyIR;
  /** Where the rule with this index (`RuleOrigin.index`) was written, file relative to the working directory when below it. */
  readonly locate: (ruleIndex: number) => SourceLocation | undefined;
}

/** `path` lowered for `arches` (default: the policy's own); `verb` says what was not done ("not explained"). */
export async function loadPolicySource(path: string, arches: readonly string[] | undefined, io: CliIO, verb: string): Promise<PolicySource> {
  if (extname(path).toLowerCase() === '.json') {
    const { loadOciPolicy } = await import('./oci-input.js');
    const r = await loadOciPolicy(path, arches ? { arches } : {});
    for (const m of r.messages) io.stderr.write(`${m}\n`);
    if (r.hasErrors || !r.ir) throw new UserError(`${path}: ${verb} (errors above)`);
    return { ir: r.ir, locate: () => undefined };
  }
  const { loadPolicyFile, PolicyLoadError } = await import('../loader/policy-file.js');
  const { normalize } = await import('../ir/normalize.js');
  const { formatDiagnostic, hasErrors } = await import('../ir/diagnostics.js');
  let loaded;
  try {
    loaded = await loadPolicyFile(path);
  } catch (e) {
    if (e instanceof PolicyLoadError) throw new UserError(e.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    throw e;
  }
  const n = normalize(loaded.spec, { ...(arches ? { arches } : {}), sourceFile: loaded.file });
  for (const d of n.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!n.ir || hasErrors(n.diagnostics)) throw new UserError(`${path}: ${verb} (errors above)`);
  const rules = loaded.spec.rules;
  return { ir: n.ir, locate: (i) => relativeLocation(rules[i]?.location ?? loaded.spec.location, process.cwd()) };
}

/** The location with its file relative to `dir` when it lies below it. */
export function relativeLocation(l: SourceLocation | undefined, dir: string): SourceLocation | undefined {
  if (!l) return undefined;
  const rel = relative(dir, l.file);
  return rel.startsWith('..') || isAbsolute(rel) ? l : { ...l, file: rel };
}
