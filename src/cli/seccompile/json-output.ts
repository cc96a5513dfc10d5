/**
 * What `seccompile verify|diff|test|syscalls --json` print: one JSON object on stdout per run,
 * of the type named here (exported from 'seccompile' for scripts that read it). Usage errors and
 * inputs that do not load stay one text line on stderr, with the same exit codes as without
 * --json. Actions are written as the text output writes them (`allow`, `errno(EACCES)`,
 * `kill_process`); 64-bit argument values as strings, decimal below 0x10000 and 0x hex above, so
 * no value loses precision in a JSON number.
 */
import type { SeccompData } from '../../seccomp/data.js';
import { formatValue } from '../../analysis/regions.js';

/** One system call: the arch as a name (or 'other', or `arch 0x...`), nr, and the arguments. */
export interface CallJson {
  readonly arch: string;
  /** seccomp_data.arch (AUDIT_ARCH_*). */
  readonly auditArch: number;
  readonly nr: number;
  /** The syscall's name, when the arch is known and the number is in its table. */
  readonly syscall?: string;
  readonly args: readonly string[];
}

/** `seccompile verify POLICY --json`. */
export interface VerifyJson {
  readonly command: 'verify';
  readonly policy: string;
  /** The --filter checked against the policy, when one was given. */
  readonly filter?: string;
  /** The filter decides as the policy on every input checked. */
  readonly ok: boolean;
  /** The regions covered every input (else only the sweep ran, for `reasons`). */
  readonly exhaustive: boolean;
  readonly reasons: readonly string[];
  readonly cases: number;
  readonly regions: number;
  readonly mismatches: number;
  readonly perArch: readonly { readonly arch: string; readonly cases: number; readonly regions: number; readonly mismatches: number }[];
  /** The smallest mismatching input and the two decisions, when there is a mismatch. */
  readonly counterexample?: CallJson & { readonly filter: string; readonly policy: string };
}

/** One input of `seccompile diff`. */
export interface DiffInputJson {
  readonly source: string;
  readonly kind: 'policy' | 'filter';
  /** A policy's target arches, or the arches a filter dispatches on. */
  readonly arches: readonly string[];
  readonly instructions: number;
  readonly endian: 'little' | 'big';
}

/** `seccompile diff A B --json`: every difference (--max limits only the text output). */
export interface DiffJson {
  readonly command: 'diff';
  readonly a: DiffInputJson;
  readonly b: DiffInputJson;
  readonly same: boolean;
  /** exact: regions cover every input; sampled: `compared` inputs were tried, for `reasons`. */
  readonly method: 'exact' | 'sampled';
  readonly reasons: readonly string[];
  readonly compared: number;
  readonly differences: readonly {
    /** 'x86_64', 'arch 0x40000003' (an AUDIT_ARCH without a name here), or 'other arches'. */
    readonly arch: string;
    /** The seccomp_data.nr range [lo, hi]. */
    readonly nr: readonly [number, number];
    readonly syscall?: string;
    /** The constraints on the arguments ('' when the decisions differ whatever they are). */
    readonly args: string;
    readonly a: string;
    readonly b: string;
    /** The smallest input where they differ. */
    readonly example: CallJson;
  }[];
}

/** `seccompile test POLICY CASES.jsonl --json`. */
export interface TestJson {
  readonly command: 'test';
  readonly policy: string;
  readonly cases: string;
  /** Every check passed and no line was malformed. */
  readonly ok: boolean;
  readonly passed: number;
  readonly failed: number;
  /** One per case and arch, in file order. */
  readonly checks: readonly {
    readonly line: number;
    readonly pass: boolean;
    readonly arch: string;
    readonly call: string;
    readonly expected: string;
    readonly actual: string;
  }[];
  readonly malformed: readonly { readonly line: number; readonly message: string }[];
}

/**
 * `seccompile syscalls --json`: the table of one arch (no NAME or NR), one syscall on one arch,
 * or one syscall on every arch that has it (--all-arches; the others are left out).
 */
export interface SyscallsJson {
  readonly command: 'syscalls';
  /** The NAME or NR asked for; absent for a whole table. */
  readonly query?: string;
  readonly syscalls: readonly { readonly arch: string; readonly name: string; readonly nr: number }[];
}

/** A call as JSON, from the seccomp_data a report carries. */
export function callJson(arch: string, data: SeccompData, syscall: string | undefined): CallJson {
  return { arch, auditArch: data.arch >>> 0, nr: data.nr >>> 0, ...(syscall !== undefined ? { syscall } : {}), args: data.args.map(formatValue) };
}

/** Writes `value` as the one JSON object of the run, on one line (`io`: a CliIO; typed apart so the exported types need nothing of the CLI). */
export function writeJson(io: { readonly stdout: { write(chunk: string): unknown } }, value: VerifyJson | DiffJson | TestJson | SyscallsJson): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}
