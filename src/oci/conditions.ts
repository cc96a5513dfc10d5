/**
 * Conditions for the OCI exporter: IR conditions -> what libseccomp can compare, as disjoint
 * alternatives. libseccomp compares whole 64-bit arguments on 64-bit ABIs and only low halves on
 * 32-bit ones; runc ORs several conditions on one argument; OCI has no negated mask test. So a
 * 32-bit view on a 64-bit ABI, a negated mask, or a range bounded on both sides becomes several
 * MASKED_EQ tests on bit prefixes, each a rule of its own; together they cover exactly the same
 * argument values, and no two overlap.
 */
import { condition, OPERATORS } from '../ir/operators.js';
import type { Condition } from '../ir/types.js';
import { argBox } from './arg-box.js';
import { satisfiable } from './overlap.js';

/** Past this many pieces for one syscall, the profile would be unreadable: refuse instead. */
export const MAX_PIECES = 512;

/** What the exporter throws when a policy needs more than an OCI profile can say. */
export class PieceLimitError extends Error {
  override readonly name = 'PieceLimitError';
}

/**
 * NOT c as disjoint alternatives of the same width: comparisons flip; a mask test fails when
 * some masked bit differs, i.e. for the k-th masked bit: the lower masked bits match and bit k
 * does not (one MASKED_EQ each).
 */
export function negate(c: Condition): Condition[] {
  const op = OPERATORS[c.op].negation;
  if (op) return [condition(c.arg, op, c.width, c.value)];
  const k = OPERATORS[c.op].constraint(c);
  if (k.kind !== 'bits') throw new Error(`internal: no negation for '${c.op}'`);
  const out: Condition[] = [];
  let lower = 0n;
  for (let bit = 1n; bit <= k.mask; bit <<= 1n) {
    if (!(k.mask & bit)) continue;
    out.push(condition(c.arg, 'masked_eq', c.width, (k.value & lower) | (~k.value & bit), lower | bit));
    lower |= bit;
  }
  return out;
}

/**
 * A conjunction of IR conditions -> disjoint conjunctions of conditions libseccomp compares at
 * `width`. Conditions on one argument are first combined at their own width (so three `ne` on an
 * int become one `ge`, not 32^3 mask tests), then translated.
 */
export function nativeProduct(conds: readonly Condition[], width: 32 | 64): Condition[][] {
  let out: Condition[][] = [[]];
  for (let arg = 0; arg < 6; arg++) {
    const group = conds.filter((c) => c.arg === arg);
    if (group.length === 0) continue;
    const sameWidth = group.every((c) => c.width === group[0]!.width);
    const combined = group.length === 1 || !sameWidth ? group.map((c) => [c]) : [argAlternatives(group)];
    // Each element of `combined` is a set of alternatives that must all be ANDed (one per condition
    // when the widths differ, else a single set of disjoint alternatives).
    for (const set of combined) {
      if (set === 'always') continue;
      const alts = set.flatMap((c) => {
        const n = native(c, width);
        return n === 'always' ? [undefined] : n;
      });
      out = out.flatMap((o) => alts.map((a) => (a ? [...o, a] : o)));
      if (out.length > MAX_PIECES) throw new PieceLimitError(`more than ${MAX_PIECES} OCI rules would be needed for one syscall`);
    }
  }
  return out;
}

const LOW = 0xffffffffn;

/**
 * One IR condition as libseccomp can compare it at `width`, as disjoint alternatives ('always',
 * or [] for never). On a 64-bit ABI, a 32-bit view (an int argument) becomes MASKED_EQ tests on
 * the low half: `eq` one test, `lt`/`gt` one per bit where the result is decided (the higher
 * bits equal, this bit below/above). On a 32-bit ABI, where libseccomp compares only the low
 * half and the kernel's arguments have no upper half, a 64-bit comparison is its low-half one
 * (or a constant when the value needs more than 32 bits).
 */
function native(c: Condition, width: 32 | 64): Condition[] | 'always' {
  if (c.width === width) return [c];
  const k = OPERATORS[c.op].constraint(c);
  if (width === 32) {
    // A 64-bit comparison where the argument has no upper half.
    if (k.kind === 'bits') {
      const mask = k.mask & LOW;
      if (k.value > LOW) return [];
      return mask === 0n ? (k.value === 0n ? 'always' : []) : [condition(c.arg, 'masked_eq', width, k.value, mask)];
    }
    if (c.value <= LOW) return [condition(c.arg, c.op, width, c.value)];
    return OPERATORS[c.op].holds(0n, c) ? 'always' : [];
  }
  // width 64, a 32-bit view: tests on the low half.
  switch (k.kind) {
    case 'bits':
      return [condition(c.arg, 'masked_eq', width, k.value, k.mask)];
    case 'not-bits':
      return negate(condition(c.arg, 'masked_eq', width, k.value, k.mask));
    case 'range':
      if (k.lo > k.hi) return [];
      if (k.lo === 0n && k.hi === LOW) return 'always';
      if (k.lo === k.hi) return [condition(c.arg, 'masked_eq', width, k.lo, LOW)];
      if (k.lo === 0n) return lowBelow(c, k.hi + 1n);
      if (k.hi === LOW) return lowAbove(c, k.lo - 1n);
      return blocks(k.lo, k.hi, LOW).map(([bm, bv]) => condition(c.arg, 'masked_eq', width, bv, bm));
  }
}

/** low32(x) < v: for each set bit i of v, the bits above i equal v's and bit i is clear. */
function lowBelow(c: Condition, v: bigint): Condition[] {
  const out: Condition[] = [];
  for (let i = 31n; i >= 0n; i--) {
    const bit = 1n << i;
    if (!(v & bit)) continue;
    const above = LOW & ~((bit << 1n) - 1n);
    out.push(condition(c.arg, 'masked_eq', 64, v & above, above | bit));
  }
  return out;
}

/** low32(x) > v: for each clear bit i of v, the bits above i equal v's and bit i is set. */
function lowAbove(c: Condition, v: bigint): Condition[] {
  const out: Condition[] = [];
  for (let i = 31n; i >= 0n; i--) {
    const bit = 1n << i;
    if (v & bit) continue;
    const above = LOW & ~((bit << 1n) - 1n);
    out.push(condition(c.arg, 'masked_eq', 64, (v & above) | bit, above | bit));
  }
  return out;
}

/**
 * Conditions ANDed -> disjoint conjunctions with at most one condition per argument (runc ORs
 * several on one argument). Per argument, the values the conditions allow are a union of
 * intervals, intersected with at most one mask test: each interval is one comparison when it
 * touches 0 or the top (or is one value), else aligned blocks, each a MASKED_EQ on its prefix.
 */
export function mergePerArg(conds: readonly Condition[], where: string): Condition[][] {
  if (!satisfiable(conds)) return [];
  let out: Condition[][] = [[]];
  for (let arg = 0; arg < 6; arg++) {
    const on = conds.filter((c) => c.arg === arg);
    if (on.length === 0) continue;
    const alts = on.length === 1 ? [on[0]!] : argAlternatives(on);
    if (alts === 'always') continue;
    out = out.flatMap((o) => alts.map((c) => [...o, c]));
    if (out.length > MAX_PIECES) throw new PieceLimitError(`${where}: more than ${MAX_PIECES} OCI rules would be needed`);
  }
  return out;
}

/** Disjoint single conditions whose union is exactly what all `conds` (one argument, one width) allow. */
function argAlternatives(conds: readonly Condition[]): Condition[] | 'always' {
  const width = conds[0]!.width;
  const arg = conds[0]!.arg;
  const box = argBox(conds, width);
  if (!box) return [];
  const { max, lo, hi, mask, want, excluded } = box;
  // The allowed values: [lo, hi] minus the excluded ones, as intervals.
  const intervals: [bigint, bigint][] = [];
  let start = lo;
  for (const v of [...excluded].filter((x) => x >= lo && x <= hi).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (v > start) intervals.push([start, v - 1n]);
    start = v + 1n;
  }
  if (start <= hi) intervals.push([start, hi]);
  const out: Condition[] = [];
  for (const [a, b] of intervals) {
    if (mask === 0n) {
      if (a === 0n && b === max) return 'always';
      if (a === b) out.push(condition(arg, 'eq', width, a));
      else if (a === 0n) out.push(condition(arg, 'le', width, b));
      else if (b === max) out.push(condition(arg, 'ge', width, a));
      else for (const [bm, bv] of blocks(a, b, max)) out.push(condition(arg, 'masked_eq', width, bv, bm));
    } else {
      for (const [bm, bv] of blocks(a, b, max)) {
        if (((bv ^ want) & bm & mask) !== 0n) continue;
        out.push(condition(arg, 'masked_eq', width, (bv & bm) | want, bm | mask));
      }
    }
  }
  return out;
}

/** [a, b] as aligned power-of-two blocks, each (mask of its fixed prefix, its first value). */
function blocks(a: bigint, b: bigint, max: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let x = a;
  while (x <= b) {
    let size = 1n;
    while ((x & (size * 2n - 1n)) === 0n && x + size * 2n - 1n <= b && size * 2n - 1n <= max) size *= 2n;
    out.push([max & ~(size - 1n), x]);
    x += size;
    if (x > max) break;
  }
  return out;
}
