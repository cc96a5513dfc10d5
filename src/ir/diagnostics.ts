/**
 * Diagnostics: user mistakes in a policy, collected (never thrown one at a time). Each has a
 * stable `code` tests and tools can match, a message, a `path` into the PolicySpec
 * ('rules[3].syscalls[1]') and, when the DSL recorded it, the file:line:column of the rule.
 */
import type { SourceLocation } from './spec.js';

export type { SourceLocation } from './spec.js';

/** Every diagnostic code and what it means. */
export const DIAGNOSTIC_CODES = {
  'invalid-policy': 'the value is not a policy (write `export default policy({...})`)',
  'invalid-rule': 'a rule is malformed (e.g. an action where a rule is expected)',
  'invalid-action': 'an action is malformed or its data is out of range',
  'unknown-errno': 'an errno name no target arch knows',
  'unknown-arch': 'an architecture name seccompile does not know',
  'unknown-syscall': 'a syscall name unknown on every architecture',
  'unknown-group': 'a syscall group name seccompile does not know (see `seccompile syscalls --groups`)',
  'invalid-condition': 'a condition is malformed (unknown operator or width)',
  'arg-index': 'an argument index outside 0..5',
  'value-range': 'a compared value or mask outside what the argument view can hold',
  'multiplexer-condition': 'argument conditions that cannot be enforced through socketcall/ipc',
  'shadowed-rule': 'a rule that can never match because an earlier rule matches first',
  'unsatisfiable-rule': 'a rule whose conditions contradict each other',
  'constant-on-32-bit': 'a 64-bit comparison that is constant on a 32-bit ABI, whose arguments have no upper half',
  'open-bypass': 'one of open/openat/openat2/creat is restricted while another is always allowed',
  'exec-bypass': 'one of execve/execveat is restricted while the other is always allowed',
  'clone3-bypass': 'clone is restricted (e.g. namespace flags) while clone3, whose flags seccomp cannot read, is allowed',
  'io-uring-bypass': 'io_uring is allowed while file or socket calls it can perform are refused',
  'multiplexer-bypass': 'a socket or ipc call is restricted while socketcall/ipc lets the same sub-call through',
  'pointer-condition': 'a condition on a pointer argument, which compares an address, not what it points to',
  'syntax-error': 'the policy file does not parse (or an import in it cannot be resolved)',
  'policy-file': 'the policy file is missing, throws while loading, or does not export a policy',
} as const;
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Path into the PolicySpec, e.g. 'rules[3].conditions[0].value'; '' for the policy itself. */
  readonly path: string;
  readonly location?: SourceLocation;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** "policy.ts:12:5: error unknown-syscall at rules[3].syscalls[1]: unknown syscall 'conect' (did you mean connect?)" */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '';
  const path = d.path ? ` at ${d.path}` : '';
  return `${where}${d.severity} ${d.code}${path}: ${d.message}`;
}
