/**
 * Diagnostics of the OCI importer: every problem in a profile is collected (never thrown one at a
 * time), with a stable `oci-*` code, the JSON path (`syscalls[12].args[0].op`) and, when the
 * profile came from text, its line and column. They share the policy diagnostics' shape and
 * formatter (../ir/diagnostics.ts).
 */
import { formatDiagnostic, type Diagnostic, type Severity } from '../ir/diagnostics.js';
import type { JsonPos } from './json.js';

export type { Severity } from '../ir/diagnostics.js';

/** A diagnostic about an OCI profile; its code is e.g. 'oci-unknown-field'. */
export type OciDiagnostic = Diagnostic<string>;

/** Collects diagnostics for one import. */
export class DiagnosticSink {
  readonly list: OciDiagnostic[] = [];

  error(code: string, path: string, pos: JsonPos | undefined, message: string): void {
    this.add('error', code, path, pos, message);
  }

  warning(code: string, path: string, pos: JsonPos | undefined, message: string): void {
    this.add('warning', code, path, pos, message);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  private readonly seen = new Set<string>();

  private add(severity: Severity, code: string, path: string, pos: JsonPos | undefined, message: string): void {
    const key = `${code}\0${path}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ severity, code, message, path, ...(pos && pos.line > 0 ? { location: { line: pos.line, column: pos.column } } : {}) });
  }
}

/**
 * The same formatter as every other diagnostic's, under the name the OCI API has exported:
 * "profile.json:12:7: error: syscalls[3].action: unknown action 'SCMP_ACT_ALOW' [oci-unknown-action]".
 */
export const formatOciDiagnostic: (d: OciDiagnostic, file?: string) => string = formatDiagnostic;
