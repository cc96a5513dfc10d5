/**
 * Diagnostics: user mistakes in a policy, an OCI profile or assembler text, collected (never
 * thrown one at a time), in one shape and printed by one formatter. Each has a stable `code`
 * tests and tools can match, a message, a `path` into the input ('rules[3].syscalls[1]') and,
 * where known, the file:line:column it points at.
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
  'too-many-alternatives': 'the in() conditions of one rule combine into more than 1,024 single-comparison rules',
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

/** Where in a text a diagnostic points: 1-based line and column, and the file when known. */
export interface TextLocation {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A mistake (or a warning) in some input: a policy (codes in DIAGNOSTIC_CODES), an OCI profile
 * (`oci-*` codes) or assembler text. The one shape every producer reports in and `formatDiagnostic`
 * prints; `code` is stable for tests and tools to match.
 */
export interface Diagnostic<Code extends string = DiagnosticCode> {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  /**
   * Path into the input's structure: 'rules[3].conditions[0].value' (PolicySpec),
   * 'syscalls[12].args[0].op' (OCI JSON); '' for the input as a whole or for plain text.
   */
  readonly path: string;
  readonly location?: TextLocation;
}

export function hasErrors(diagnostics: readonly Diagnostic<string>[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * "policy.ts:12:5: error: rules[3].syscalls[1]: unknown syscall 'conect' (did you mean connect?) [unknown-syscall]".
 * `file` names the input when the location does not (an OCI profile, assembler text).
 */
export function formatDiagnostic(d: Diagnostic<string>, file?: string): string {
  const l = d.location;
  const place = [l?.file ?? file, l?.line, l?.column].filter((x) => x !== undefined).join(':');
  return `${place ? `${place}: ` : ''}${d.severity}: ${d.path ? `${d.path}: ` : ''}${d.message} [${d.code}]`;
}

/**
 * Collects the diagnostics of one pass over an input (a policy, an OCI profile), so that every
 * mistake is reported, not only the first. A report without a location takes the fallback given
 * to the constructor (the policy's own place, when its rules carry none). An identical report
 * (same severity, code, path, message and location) is kept once, so a check that meets the same
 * place more than once (an OCI syscalls entry with several names is checked once per name) says
 * it once.
 * `Code` narrows what may be reported: the policy codes, or e.g. `oci-${string}`.
 */
export class DiagnosticSink<Code extends string = DiagnosticCode> {
  readonly list: Diagnostic<Code>[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly fallback?: TextLocation) {}

  report(code: Code, severity: Severity, path: string, message: string, location?: TextLocation): void {
    const where = location ?? this.fallback;
    const key = JSON.stringify([severity, code, path, message, where?.file, where?.line, where?.column]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ code, severity, message, path, ...(where ? { location: where } : {}) });
  }

  error(code: Code, path: string, message: string, location?: TextLocation): void {
    this.report(code, 'error', path, message, location);
  }

  warning(code: Code, path: string, message: string, location?: TextLocation): void {
    this.report(code, 'warning', path, message, location);
  }

  get hasErrors(): boolean {
    return hasErrors(this.list);
  }
}
