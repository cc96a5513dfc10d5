/**
 * What each comparison operator means, in one table the type checker sees is complete
 * (`Record<CmpOp, Operator>`): how a condition evaluates, the value set it allows (what the
 * implication check, the OCI overlap check and the OCI exporter reason about), its negation, its
 * test over the two 32-bit halves of the argument (what the compiler emits and the IR explorer
 * splits on), its libseccomp name in OCI profiles, and the values worth testing around it.
 * Every consumer reads this table instead of switching on the operator itself.
 *
 * Comparisons are unsigned over the condition's width, as the kernel's JGT/JGE compare u32 words
 * (kernel/bpf/core.c); 64-bit order over halves (h, l) is lexicographic.
 */
import type { Condition } from './types.js';

export const MASK32 = 0xffffffffn;
export const MASK64 = 0xffffffffffffffffn;

/** The largest value of a width: the full mask of a comparison that masks nothing. */
export const widthMax = (width: 32 | 64): bigint => (width === 64 ? MASK64 : MASK32);

/**
 * The values one condition allows, at its width, in the shapes the reasoning code understands:
 * lo <= x <= hi (empty when lo > hi), x & mask == value, or x & mask != value.
 */
export type Constraint =
  | { readonly kind: 'range'; readonly lo: bigint; readonly hi: bigint }
  | { readonly kind: 'bits'; readonly mask: bigint; readonly value: bigint }
  | { readonly kind: 'not-bits'; readonly mask: bigint; readonly value: bigint };

/** One test of a 32-bit half of the argument: `(half & mask) op k`, as classic BPF compares. */
export interface HalfTest {
  readonly kind: 'test';
  readonly half: 'low' | 'high';
  readonly mask: number;
  readonly op: 'jeq' | 'jgt' | 'jge';
  readonly k: number;
}

/**
 * A condition as a formula over half tests, in the form the compiler emits it: equality tests
 * the low half first (the half that usually differs), ordered comparisons start with the high
 * half, and constant edges (gt(max), ge(0), a zero high half) are folded, never weakened.
 */
export type HalfFormula =
  | HalfTest
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'not'; readonly f: HalfFormula }
  | { readonly kind: 'and' | 'or'; readonly fs: readonly HalfFormula[] };

export interface Operator {
  /** The comparison as a C operator, for explanations. */
  readonly symbol: string;
  /** Whether the condition compares `x & mask`; otherwise its mask is the width's full mask. */
  readonly masked: boolean;
  /** Whether `x` (already cut to the condition's width) satisfies the condition. */
  holds(x: bigint, c: Condition): boolean;
  /** The values the condition allows. */
  constraint(c: Condition): Constraint;
  /** The operator of the negated comparison, where one exists. */
  readonly negation?: CmpOp;
  /** For the ordered comparisons: whether the allowed values lie below or above the constant. */
  readonly order?: 'below' | 'above';
  halves(c: Condition): HalfFormula;
  /** The libseccomp comparison (SCMP_CMP_*) in an OCI profile. */
  readonly oci: string;
  /** A value satisfying the condition where one exists: the constant, or its nearest neighbour. */
  example(c: Condition): bigint;
}

const lowOf = (v: bigint): number => Number(v & MASK32);
const highOf = (v: bigint): number => Number((v >> 32n) & MASK32);
const FULL = 0xffffffff;

const test = (half: 'low' | 'high', op: HalfTest['op'], k: number, mask = FULL): HalfTest => ({ kind: 'test', half, mask, op, k });
const not = (f: HalfFormula): HalfFormula => ({ kind: 'not', f });
const and = (...fs: HalfFormula[]): HalfFormula => ({ kind: 'and', fs });
const or = (...fs: HalfFormula[]): HalfFormula => ({ kind: 'or', fs });
const constant = (value: boolean): HalfFormula => ({ kind: 'const', value });

/** (x & mask) == v over the condition's width: the low half first, then the high half. */
function equal(c: Condition, v: bigint, mask: bigint): HalfFormula {
  const low = test('low', 'jeq', lowOf(v), lowOf(mask));
  return c.width === 64 ? and(low, test('high', 'jeq', highOf(v), highOf(mask))) : low;
}

/** x > v, unsigned over the condition's width. */
function greater(c: Condition, v: bigint): HalfFormula {
  if (v >= widthMax(c.width)) return constant(false);
  const low = test('low', 'jgt', lowOf(v));
  if (c.width === 32) return low;
  const vh = highOf(v);
  // high half equal -> decided by the low half; greater -> true; smaller -> false
  if (vh === 0) return or(not(test('high', 'jeq', 0)), low);
  return or(test('high', 'jgt', vh), and(test('high', 'jeq', vh), low));
}

/** x >= v  <=>  x > v - 1 */
const greaterOrEqual = (c: Condition, v: bigint): HalfFormula => (v === 0n ? constant(true) : greater(c, v - 1n));

const range = (lo: bigint, hi: bigint): Constraint => ({ kind: 'range', lo, hi });
const SCMP = 'SCMP_CMP_';

/** The comparison operators of a condition. */
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';

/** The operators, one entry each. */
export const OPERATORS: Readonly<Record<CmpOp, Operator>> = {
  eq: {
    symbol: '==',
    masked: false,
    holds: (x, c) => x === c.value,
    constraint: (c) => range(c.value, c.value),
    negation: 'ne',
    halves: (c) => equal(c, c.value, widthMax(c.width)),
    oci: `${SCMP}EQ`,
    example: (c) => c.value,
  },
  ne: {
    symbol: '!=',
    masked: false,
    holds: (x, c) => x !== c.value,
    constraint: (c) => ({ kind: 'not-bits', mask: widthMax(c.width), value: c.value }),
    negation: 'eq',
    halves: (c) => not(equal(c, c.value, widthMax(c.width))),
    oci: `${SCMP}NE`,
    example: (c) => (c.value < widthMax(c.width) ? c.value + 1n : 0n),
  },
  lt: {
    symbol: '<',
    masked: false,
    holds: (x, c) => x < c.value,
    constraint: (c) => range(0n, c.value - 1n),
    negation: 'ge',
    order: 'below',
    halves: (c) => not(greaterOrEqual(c, c.value)),
    oci: `${SCMP}LT`,
    example: (c) => (c.value > 0n ? c.value - 1n : 0n),
  },
  le: {
    symbol: '<=',
    masked: false,
    holds: (x, c) => x <= c.value,
    constraint: (c) => range(0n, c.value),
    negation: 'gt',
    order: 'below',
    halves: (c) => not(greater(c, c.value)),
    oci: `${SCMP}LE`,
    example: (c) => c.value,
  },
  gt: {
    symbol: '>',
    masked: false,
    holds: (x, c) => x > c.value,
    constraint: (c) => range(c.value + 1n, widthMax(c.width)),
    negation: 'le',
    order: 'above',
    halves: (c) => greater(c, c.value),
    oci: `${SCMP}GT`,
    example: (c) => (c.value < widthMax(c.width) ? c.value + 1n : 0n),
  },
  ge: {
    symbol: '>=',
    masked: false,
    holds: (x, c) => x >= c.value,
    constraint: (c) => range(c.value, widthMax(c.width)),
    negation: 'lt',
    order: 'above',
    halves: (c) => greaterOrEqual(c, c.value),
    oci: `${SCMP}GE`,
    example: (c) => c.value,
  },
  masked_eq: {
    symbol: '==',
    masked: true,
    holds: (x, c) => (x & c.mask) === c.value,
    constraint: (c) => ({ kind: 'bits', mask: c.mask, value: c.value }),
    halves: (c) => equal(c, c.value, c.mask & widthMax(c.width)),
    oci: `${SCMP}MASKED_EQ`,
    example: (c) => c.value,
  },
};

/** Every operator, in the table's order. */
export const CMP_OPS = Object.keys(OPERATORS) as readonly CmpOp[];

/** A condition with the mask filled in: the width's full mask unless the operator is masked. */
export function condition(arg: number, op: CmpOp, width: 32 | 64, value: bigint, mask?: bigint): Condition {
  return { arg, op, width, value, mask: OPERATORS[op].masked ? (mask ?? widthMax(width)) : widthMax(width) };
}

/** Whether `c` holds for an argument's full unsigned 64-bit value. */
export function conditionHolds(c: Condition, arg: bigint): boolean {
  return OPERATORS[c.op].holds(arg & MASK64 & widthMax(c.width), c);
}

/** Whether two conditions are the same comparison. */
export function sameCondition(a: Condition, b: Condition): boolean {
  return a.arg === b.arg && a.op === b.op && a.width === b.width && a.value === b.value && a.mask === b.mask;
}

/** Decimal below 2^16, hex above: how people write syscall arguments. */
export function formatValue(v: number | bigint): string {
  const b = BigInt(v);
  return b < 0x10000n ? b.toString() : '0x' + b.toString(16);
}

/** "arg0 == 1", "int arg1 & 0x7e020000 == 0", "arg2 >= 0x10000" */
export function conditionText(c: Condition): string {
  const lhs = `${c.width === 32 ? 'int ' : ''}arg${c.arg}`;
  const op = OPERATORS[c.op];
  const masked = op.masked ? ` & 0x${c.mask.toString(16)}` : '';
  return `${lhs}${masked} ${op.symbol} ${formatValue(c.value)}`;
}

/** The constants a condition compares with, for picking inputs around them. */
export function conditionConstants(c: Condition): readonly bigint[] {
  return [c.value];
}
