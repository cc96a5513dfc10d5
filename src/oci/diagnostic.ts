/**
 * Diagnostics of the OCI importer: every problem in a profile is collected (never thrown one at a
 * time) by the one DiagnosticSink (../ir/diagnostics.ts), with a stable `oci-*` code, the JSON
 * path (`syscalls[12].args[0].op`) and, when the profile came from text, its line and column.
 * They share the policy diagnostics' shape and formatter.
 */
import { formatDiagnostic, type Diagnostic, type DiagnosticSink, type TextLocation } from '../ir/diagnostics.js';
import type { JsonPos } from './json.js';

export type { Severity } from '../ir/diagnostics.js';

/** The code of a diagnostic about an OCI profile, e.g. 'oci-unknown-field'. */
export type OciCode = `oci-${string}`;

/** A diagnostic about an OCI profile; its code is e.g. 'oci-unknown-field'. */
export type OciDiagnostic = Diagnostic<string>;

/** What the importer's stages report into. */
export type OciSink = DiagnosticSink<OciCode>;

/**
 * The location of a JSON node, for a diagnostic. A profile passed as a value (not text) has no
 * lines: its nodes sit at line 0, and their diagnostics carry no location.
 */
export function at(pos: JsonPos | undefined): TextLocation | undefined {
  return pos && pos.line > 0 ? { line: pos.line, column: pos.column } : undefined;
}

/**
 * The same formatter as every other diagnostic's, under the name the OCI API has exported:
 * "profile.json:12:7: error: syscalls[3].action: unknown action 'SCMP_ACT_ALOW' [oci-unknown-action]".
 */
export const formatOciDiagnostic: (d: OciDiagnostic, file?: string) => string = formatDiagnostic;
