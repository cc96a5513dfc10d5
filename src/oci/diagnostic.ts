/**
 * Diagnostics of the OCI importer: every problem in a profile is collected (never thrown one at a
 * time), with a stable `code`, the JSON path (`syscalls[12].args[0].op`) and, when the profile
 * came from text, its line and column.
 */
import type { JsonPos } from './json.js';

export type Severity = 'error' | 'warning';

export interface OciDiagnostic {
  readonly severity: Severity;
  /** Stable identifier, e.g. 'oci-unknown-field'. */
  readonly code: string;
  readonly message: string;
  /** JSON path into the profile, e.g. 'syscalls[12].args[0].op'; '' for the document. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

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
    this.list.push({ severity, code, message, path, ...(pos && pos.line > 0 ? { line: pos.line, column: pos.column } : {}) });
  }
}

/** "profile.json:12:7: error: syscalls[3].action: unknown action 'SCMP_ACT_ALOW' [oci-unknown-action]" */
export function formatOciDiagnostic(d: OciDiagnostic, file?: string): string {
  const place = [file, d.line, d.column].filter((x) => x !== undefined).join(':');
  const where = d.path ? `${d.path}: ` : '';
  return `${place ? `${place}: ` : ''}${d.severity}: ${where}${d.message} [${d.code}]`;
}
