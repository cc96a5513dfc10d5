/**
 * The synchronous half of loading a policy: a PolicySpec normalized (diagnostics formatted) and a
 * policy compiled. ./load.ts imports this module only when an input is a policy, so reading a
 * compiled filter loads neither the normalizer nor the compiler; the test API, which compiles
 * policy values synchronously, imports it directly.
 */
import { compile, type CompileResult } from '../compiler/index.js';
import { formatDiagnostic } from '../ir/diagnostics.js';
import { normalize } from '../ir/normalize.js';
import type { PolicySpec } from '../ir/spec.js';
import type { PolicyIR } from '../ir/types.js';
import { SourceError, type PolicySource, type Source, type SourceOptions } from './types.js';

const isIR = (x: object): x is PolicyIR => Array.isArray((x as PolicyIR).sections) && 'badArch' in x;

/**
 * A policy value (a PolicySpec, normalized for `options.arch` or its own arches, or a PolicyIR as
 * is). Throws SourceError with every diagnostic when the policy has errors.
 */
export function policyFromValue(
  policy: PolicySpec | PolicyIR,
  options: SourceOptions = {},
  name = 'policy',
  kind: PolicySource['kind'] = 'policy',
  sourceFile?: string,
): PolicySource {
  if (isIR(policy)) return { name, kind, ir: policy, installFlags: [], diagnostics: [], skipped: [] };
  const result = normalize(policy, { ...(options.arch ? { arches: [...options.arch] } : {}), ...(sourceFile ? { sourceFile } : {}) });
  const diagnostics = result.diagnostics.map((d) => ({ severity: d.severity, text: formatDiagnostic(d) }));
  if (!result.ir || diagnostics.some((d) => d.severity === 'error')) throw new SourceError(`${name}: the policy has errors`, diagnostics);
  return { name, kind, spec: policy, ir: result.ir, installFlags: [], diagnostics, skipped: result.skipped };
}

/** The policy compiled. Throws SourceError (`NAME: why`) when the compiler refuses it. */
export function compileSource(policy: PolicySource): Source {
  let compiled: CompileResult;
  try {
    compiled = compile(policy.ir);
  } catch (e) {
    throw new SourceError(`${policy.name}: ${(e as Error).message}`, policy.diagnostics);
  }
  return { ...policy, compiled, program: compiled.program, endian: compiled.endian };
}
