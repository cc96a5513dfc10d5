/**
 * Conditions for the OCI exporter: IR conditions -> what libseccomp can compare, as disjoint
 * alternatives. libseccomp compares whole 64-bit arguments on 64-bit ABIs and only low halves on
 * 32-bit ones; runc ORs several conditions on one argument; OCI has no negated mask test. So a
 * 32-bit view on a 64-bit ABI, a negated mask, or a range bounded on both sides becomes several
 * MASKED_EQ tests on bit prefixes, each a rule of its own; together they cover exactly the same
 * argument values, and no two overlap.
 */
import type { CmpOp, Condition } from '../ir/types.js';
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
  const flip: Partial<Record<CmpOp, CmpOp>> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le' };
  const op = flip[c.op];
  if (op) return [{ arg: c.arg, op, width: c.width, value: c.value }];
  const mask = c.mask ?? 0n;
  const out: Condition[] = [];
  let lower = 0n;
  for (let bit = 1n; bit <= mask; bit <<= 1n) {
    if (!(mask & bit)) continue;
    out.push({ arg: c.arg, op: 'masked_eq', width: c.width, mask: lower | bit, value: (c.value & lower) | (~c.value & bit) });
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
  const low = (op: CmpOp, value: bigint, mask?: bigint): Condition => ({ arg: c.arg, op, width, value, ...(mask !== undefined ? { mask } : {}) });
  if (c.width === width) return [c];
  if (width === 32) {
    if (c.op === 'masked_eq') {
      const mask = (c.mask ?? 0n) & LOW;
      if (c.value > LOW) return [];
      return mask === 0n ? (c.value === 0n ? 'always' : []) : [low('masked_eq', c.value, mask)];
    }
    if (c.value <= LOW) return [low(c.op, c.value)];
    return ['ne', 'lt', 'le'].includes(c.op) ? 'always' : [];
  }
  // width 64, a 32-bit view.
  switch (c.op) {
    case 'eq':
      return [low('masked_eq', c.value, LOW)];
    case 'masked_eq':
      return [low('masked_eq', c.value, c.mask ?? 0n)];
    case 'ne':
      return negate({ ...c, op: 'masked_eq', mask: LOW }).map((x) => ({ ...x, width }));
    case 'lt':
      return c.value === 0n ? [] : lowBelow(c, c.value);
    case 'le':
      return c.value === LOW ? 'always' : lowBelow(c, c.value + 1n);
    case 'gt':
      return c.value === LOW ? [] : lowAbove(c, c.value);
    case 'ge':
      return c.value === 0n ? 'always' : lowAbove(c, c.value - 1n);
  }
}

/** low32(x) < v: for each set bit i of v, the bits above i equal v's and bit i is clear. */
function lowBelow(c: Condition, v: bigint): Condition[] {
  const out: Condition[] = [];
  for (let i = 31n; i >= 0n; i--) {
    const bit = 1n << i;
    if (!(v & bit)) continue;
    const above = LOW & ~((bit << 1n) - 1n);
    out.push({ arg: c.arg, op: 'masked_eq', width: 64, mask: above | bit, value: v & above });
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
    out.push({ arg: c.arg, op: 'masked_eq', width: 64, mask: above | bit, value: (v & above) | bit });
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
  const base = { arg: conds[0]!.arg, width };
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
      if (a === b) out.push({ ...base, op: 'eq', value: a });
      else if (a === 0n) out.push({ ...base, op: 'le', value: b });
      else if (b === max) out.push({ ...base, op: 'ge', value: a });
      else for (const [bm, bv] of blocks(a, b, max)) out.push({ ...base, op: 'masked_eq', mask: bm, value: bv });
    } else {
      for (const [bm, bv] of blocks(a, b, max)) {
        if (((bv ^ want) & bm & mask) !== 0n) continue;
        out.push({ ...base, op: 'masked_eq', mask: bm | mask, value: (bv & bm) | want });
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
