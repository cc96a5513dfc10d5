/**
 * The normalized rule IR: what the DSL (and the OCI importer) lower a policy to, and what the
 * compiler and the semantics evaluator read. Plain readonly data, one section per target arch,
 * already resolved to raw syscall numbers, with multiplexed entries (socketcall, ipc) expanded
 * into rules on the multiplexer carrying a sub-call condition. The compiler never needs to know
 * about syscall names, multiplexers or the DSL.
 *
 * Semantics (the contract every stage keeps): for a seccomp_data on arch A,
 *   - an arch whose AUDIT_ARCH no section claims gets `badArch`;
 *   - sections sharing an AUDIT_ARCH (x86_64 and x32) are told apart by `nrBase`: a section owns
 *     the numbers from its nrBase up to the next section's nrBase (exclusive). Numbers no section
 *     owns (x32 numbers, >= 0x40000000, when only x86_64 is targeted) get `badArch`;
 *   - within a section, rules for `nr` are tried in order; the first rule whose conditions all
 *     hold decides; if none holds, or `nr` has no rules, the section's `defaultAction` decides;
 *   - except that an owned `nr` outside every span of `section.knownNrs` gets `newer` (a syscall
 *     newer than our tables): above the last regular syscall, and, on arches with a private range
 *     above the regular calls (arm's 0x0f0000.., x32's 512..547), both between the regular calls
 *     and that range and above it. Unknown numbers inside a known span (holes in the tables, arm's
 *     0x0f0000 "branch through zero", which the kernel answers with SIGSEGV) are not newer: they
 *     get their rules or the default. Rules on a newer number are never consulted (the DSL and
 *     the OCI importer make none).
 */
import type { Action } from '../seccomp/abi.js';
import type { ArchName, NrSpan } from '../syscalls/arch.js';

export type { NrSpan } from '../syscalls/arch.js';

import type { CmpOp } from './operators.js';

export type { CmpOp } from './operators.js';

/** One comparison on one syscall argument, with exact unsigned semantics. */
export interface Condition {
  /** Argument index 0..5. */
  readonly arg: number;
  readonly op: CmpOp;
  /**
   * 64: compare the full unsigned 64-bit argument. 32: compare only its low 32 bits (an `int`
   * argument); `value` and `mask` are then < 2^32.
   */
  readonly width: 32 | 64;
  /** Compared value, 0 <= value < 2^width. For masked_eq: (arg & mask) == value. */
  readonly value: bigint;
  /**
   * The bits compared: given for a masked operator (masked_eq), else the width's full mask
   * (./operators.ts `condition` fills it in). Always < 2^width.
   */
  readonly mask: bigint;
}

/** Where a rule came from, for diagnostics: index in the policy's rule list and a readable path. */
export interface RuleOrigin {
  readonly index: number;
  /** e.g. "rules[3]" (DSL) or "syscalls[12]" (OCI) */
  readonly path: string;
}

/** Conditions ANDed, plus the action taken when they all hold. No conditions: always matches. */
export interface Rule {
  readonly conditions: readonly Condition[];
  readonly action: Action;
  readonly origin: RuleOrigin;
}

export interface SyscallRules {
  /** Raw seccomp_data.nr value (x32 numbers include 0x40000000). */
  readonly nr: number;
  /** Syscall name (for a multiplexer: its own name, e.g. 'socketcall'). */
  readonly name: string;
  /** In order: the first rule whose conditions hold decides. */
  readonly rules: readonly Rule[];
}

export interface ArchSection {
  readonly arch: ArchName;
  readonly auditArch: number;
  /** Lowest raw nr this section owns (0, or 0x40000000 for x32). */
  readonly nrBase: number;
  /**
   * The raw nr spans this section treats as known, sorted, disjoint, within the numbers it owns:
   * from the DSL the Arch's `knownNrs` (regular calls, then any private range); from an OCI
   * profile with runc's -ENOSYS stub one span from nrBase to the largest syscall it names. Owned
   * numbers outside them get `newer`.
   */
  readonly knownNrs: readonly NrSpan[];
  /** Sorted by nr ascending, one entry per nr. */
  readonly syscalls: readonly SyscallRules[];
  readonly defaultAction: Action;
  /** For owned numbers outside `knownNrs` (a syscall newer than our tables). */
  readonly newer: Action;
  /** Byte order of seccomp_data on this arch (where 64-bit argument halves live). */
  readonly endian: 'little' | 'big';
}

export interface PolicyIR {
  /** Sorted deterministically (by auditArch, then nrBase). */
  readonly sections: readonly ArchSection[];
  readonly badArch: Action;
}
