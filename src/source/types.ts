/**
 * What loading a policy source yields (./load.ts), and how it fails.
 */
import type { Program } from '../bpf/validate.js';
import type { CompileResult } from '../compiler/index.js';
import type { SkippedSyscall } from '../ir/normalize.js';
import type { PolicySpec } from '../ir/spec.js';
import type { PolicyIR } from '../ir/types.js';
import type { Endian, SeccompFilterFlag } from '../seccomp/abi.js';
import type { SourceKind } from '../loader/extensions.js';

/** A diagnostic about the source, formatted (file:line:column where known). */
export interface SourceDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly text: string;
}

/** A source turned into a policy (before compiling). */
export interface PolicySource {
  /** How it was named: the file path, `policy` for a value. */
  readonly name: string;
  readonly kind: SourceKind | 'policy';
  /** The policy as written, when it was a PolicySpec (a policy file or a value): its rules carry their source locations. */
  readonly spec?: PolicySpec;
  readonly ir: PolicyIR;
  /** seccomp(2) flags the source asks the filter to be installed with (an OCI profile's `flags`). */
  readonly installFlags: readonly SeccompFilterFlag[];
  /** Warnings, in order. */
  readonly diagnostics: readonly SourceDiagnostic[];
  /** Syscalls a rule names that are absent on a target arch. */
  readonly skipped: readonly SkippedSyscall[];
}

/** A source turned into a filter. */
export interface Source {
  /** How it was named: the file path, `policy` for a value, `bytes` for a Uint8Array. */
  readonly name: string;
  readonly kind: SourceKind | 'policy';
  /** The policy as written, when it was a PolicySpec. */
  readonly spec?: PolicySpec;
  /** The policy's IR (not for compiled filters). */
  readonly ir?: PolicyIR;
  /** What the compiler produced, with its statistics (not for compiled filters). */
  readonly compiled?: CompileResult;
  readonly program: Program;
  readonly endian: Endian;
  readonly installFlags: readonly SeccompFilterFlag[];
  /** Warnings, in order. */
  readonly diagnostics: readonly SourceDiagnostic[];
  readonly skipped: readonly SkippedSyscall[];
}

export interface SourceOptions {
  /**
   * Target arches of a policy, overriding its own `arch`. For an OCI profile, one arch is the
   * native arch runc would run on (more, or an unknown name, is an error: the profile names its own).
   */
  readonly arch?: readonly string[];
  /** Byte order of filter bytes (default: detected). */
  readonly endian?: Endian;
  /** Seconds a policy file's own code may run while it loads (default: the loader's). */
  readonly loadTimeout?: number;
  /** Aborting ends the load of a policy file. */
  readonly signal?: AbortSignal;
  /** OCI profiles: the container's capabilities (default: Docker's) and the kernel version for minKernel (default: the running one). */
  readonly oci?: { readonly caps?: readonly string[]; readonly kernel?: string };
  /** What a file whose extension the table does not know holds (default: it is refused). */
  readonly otherwise?: SourceKind;
}

/**
 * A source that does not load: `diagnostics` hold every diagnostic in order (errors and
 * warnings); `cause`, for filter bytes that are not a valid program, the EncodingError or
 * ProgramLoadError of src/bpf (with every problem of each byte order tried).
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly diagnostics: readonly SourceDiagnostic[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  /** The errors among the diagnostics. */
  get errors(): SourceDiagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }
}
