/**
 * `seccompile/compiler`: a policy from its file or value to a filter. Loading a policy file,
 * normalizing a PolicySpec to the rule IR (with its diagnostics), the IR's own semantics, and the
 * compiler from IR to a seccomp filter.
 */
export { compile, encodeFilter, soleRule, CompileError, COMPILE_ERROR } from '../compiler/index.js';
export type { CompileErrorCode, CompileOptions, CompileResult, CompileStats, InsnProvenance, InsnSource } from '../compiler/index.js';
export { decide, type SyscallData } from '../ir/semantics.js';
export { normalize } from '../ir/normalize.js';
export type { NormalizeOptions, NormalizeResult, SkippedSyscall } from '../ir/normalize.js';
export { formatDiagnostic, hasErrors, DIAGNOSTIC_CODES } from '../ir/diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from '../ir/diagnostics.js';
export type * from '../ir/types.js';
export type { PolicySpec, RuleSpec, ActionSpec, ConditionSpec, SourceLocation, Value } from '../ir/spec.js';
export { loadPolicyFile, PolicyLoadError, type LoadedPolicy } from '../loader/policy-file.js';
