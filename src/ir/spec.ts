/**
 * PolicySpec: the plain data a policy file's `export default policy({...})` evaluates to, and
 * what `normalize` (src/ir/normalize.ts) lowers to the per-arch rule IR. Nothing here is
 * validated or resolved yet: syscall and errno names are strings, values are the numbers or
 * bigints the author wrote, so that every mistake can be reported by normalize as a diagnostic
 * with its path (`rules[3].conditions[0].value`) instead of a throw at the first one.
 *
 * Discriminated unions only; no classes, no functions: a PolicySpec can be built by hand, by
 * the DSL builders (src/dsl/builders.ts), or by an importer, and compared with deep equality.
 */
import type { CmpOp } from './types.js';

/** A value as written: a non-negative integer below 2^64 (number up to 2^53 - 1, or bigint). */
export type Value = number | bigint;

/** Where something was written, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A condition on one syscall argument: one comparison, or `in`, a set of values it may equal. */
export type ConditionSpec = ComparisonSpec | InSpec;

/** One comparison on one syscall argument. */
export interface ComparisonSpec {
  /** Argument index, 0..5. */
  readonly arg: number;
  readonly op: CmpOp;
  /**
   * 64: the full unsigned 64-bit argument. 32: only its low 32 bits (an `int` argument); the
   * value and mask may then also be written as negative int32 (-1 means 0xffffffff).
   */
  readonly width: 32 | 64;
  readonly value: Value;
  /** Only for masked_eq: (arg & mask) == value. */
  readonly mask?: Value;
}

/**
 * Conditions over a list of values, written as comparisons by normalize (src/ir/check-spec.ts
 * SET_OPERATORS): `in`, the argument equals one of `values`, becomes one rule per value, in
 * order and with the same action and origin, so the IR and everything after it keep seeing only
 * single comparisons (an OR of rules is what a first-match filter already means).
 */
export type SetOp = 'in';

export interface InSpec {
  readonly arg: number;
  readonly op: SetOp;
  readonly width: 32 | 64;
  readonly values: readonly Value[];
}

/**
 * What a rule (or the default) does. Mirrors the IR's `Action` (src/seccomp/abi.ts), except
 * that an errno may still be a name ('EPERM'), resolved per arch by normalize.
 */
export type ActionSpec =
  | { readonly kind: 'allow' }
  | { readonly kind: 'kill_process' }
  | { readonly kind: 'kill_thread' }
  | { readonly kind: 'log' }
  | { readonly kind: 'user_notif' }
  | { readonly kind: 'errno'; readonly errno: number | string }
  | { readonly kind: 'trap'; readonly data: number }
  | { readonly kind: 'trace'; readonly data: number };

/** Conditions ANDed, for each of the named syscalls, plus the action taken when they all hold. */
export interface RuleSpec {
  readonly action: ActionSpec;
  /**
   * At least one syscall name, or syscall group ('@basic-io', see src/syscalls/groups.ts),
   * expanded by normalize; a name absent on a target arch is left out there.
   */
  readonly syscalls: readonly string[];
  /** ANDed; empty: the rule always matches its syscalls. */
  readonly conditions: readonly ConditionSpec[];
  /**
   * Only on these arches (for an argument whose position differs, e.g. clone's flags on
   * s390x); omitted: on every target arch.
   */
  readonly arch?: readonly string[];
  /** Where the rule was written (recorded by the DSL builders), for diagnostics. */
  readonly location?: SourceLocation;
}

/**
 * A policy: rules in order plus a default action for a set of architectures. For a syscall,
 * the first rule (in `rules` order) whose conditions all hold decides; when none does, `default`.
 */
export interface PolicySpec {
  readonly kind: 'policy';
  /** What a syscall no rule matches gets. */
  readonly default: ActionSpec;
  /** Target arch names; omitted: the host's native arch and its compat arches. */
  readonly arch?: readonly string[];
  /** For a syscall from any other arch; omitted: kill the process. */
  readonly badArch?: ActionSpec;
  /**
   * For a syscall number newer than our tables for its arch (a newer kernel's call): above its
   * last regular syscall, and on arm and x32 also between the regular calls and the arch's
   * private ones (arm 0x0f0000.., x32 512..547) and above those; omitted: errno(ENOSYS) when
   * `default` is an errno or a kill, else `default`.
   */
  readonly newer?: ActionSpec;
  readonly rules: readonly RuleSpec[];
  /** Where `policy(...)` was called, for diagnostics about the policy as a whole. */
  readonly location?: SourceLocation;
}
