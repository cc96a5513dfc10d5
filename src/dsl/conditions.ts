/**
 * Argument conditions: `arg(i)` compares the full unsigned 64-bit argument, `arg(i).int` only
 * its low 32 bits (for arguments the kernel declares `int`/`unsigned int`, whose upper register
 * half a caller may leave as garbage). Values are checked by normalize, not here:
 *   - 64-bit view: integers 0 .. 2^64-1 (number or bigint); anything else is an error. Write a
 *     negative 64-bit value explicitly with `asU64(-1)` (two's complement: 2^64-1).
 *   - 32-bit view: integers -2^31 .. 2^32-1; a negative value is the int's two's complement
 *     (-1 means 0xffffffff).
 * Comparisons are unsigned, as in the kernel's BPF (JGT/JGE compare u32 words).
 */
import type { CmpOp } from '../ir/types.js';
import type { ConditionSpec, Value } from '../ir/spec.js';

/** Comparisons on one view (64-bit or low 32 bits) of one argument. */
export interface ArgView {
  readonly index: number;
  readonly width: 32 | 64;
  eq(value: Value): ConditionSpec;
  ne(value: Value): ConditionSpec;
  lt(value: Value): ConditionSpec;
  le(value: Value): ConditionSpec;
  gt(value: Value): ConditionSpec;
  ge(value: Value): ConditionSpec;
  /** (arg & mask) == value. */
  maskedEq(mask: Value, value: Value): ConditionSpec;
  /** The argument equals one of `values` (at least one): `arg(0).int.in([AF_UNIX, AF_INET])`. */
  in(values: readonly Value[]): ConditionSpec;
}

/** An argument: the 64-bit view, plus `.int` for its low 32 bits. */
export interface Arg extends ArgView {
  readonly width: 64;
  /** Compare only the low 32 bits (an `int` argument); -1 means 0xffffffff. */
  readonly int: ArgView & { readonly width: 32 };
}

function view<W extends 32 | 64>(index: number, width: W): ArgView & { readonly width: W } {
  const cmp =
    (op: Exclude<CmpOp, 'masked_eq'>) =>
    (value: Value): ConditionSpec =>
      Object.freeze({ arg: index, op, width, value });
  return {
    index,
    width,
    eq: cmp('eq'),
    ne: cmp('ne'),
    lt: cmp('lt'),
    le: cmp('le'),
    gt: cmp('gt'),
    ge: cmp('ge'),
    maskedEq: (mask: Value, value: Value): ConditionSpec => Object.freeze({ arg: index, op: 'masked_eq', width, value, mask }),
    in: (values: readonly Value[]): ConditionSpec => Object.freeze({ arg: index, op: 'in', width, values: Array.isArray(values) ? Object.freeze([...values]) : values }),
  };
}

/** Syscall argument `index` (0..5). */
export function arg(index: number): Arg {
  return Object.freeze({ ...view(index, 64), int: Object.freeze(view(index, 32)) });
}

/**
 * The unsigned 64-bit two's complement of a signed value: asU64(-1) === 2n ** 64n - 1n.
 * Values already in 0 .. 2^64-1 are returned as bigint unchanged; anything outside
 * -2^63 .. 2^64-1 is returned as is, for normalize to report.
 */
export function asU64(value: Value): Value {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return value;
  const v = BigInt(value);
  if (v < -(1n << 63n) || v >= 1n << 64n) return value;
  return v < 0n ? v + (1n << 64n) : v;
}
