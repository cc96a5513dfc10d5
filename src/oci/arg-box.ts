/**
 * The values of one argument that a conjunction of conditions (one width) allows, in the shape
 * both the overlap check (overlap.ts) and the exporter's disjoint alternatives (conditions.ts)
 * reason about (each operator's constraint, src/ir/operators.ts): an interval, a fixed bit
 * pattern from the masked tests, and excluded points.
 * x is allowed when lo <= x <= hi, (x & mask) == want and x is not in `excluded`.
 */
import { OPERATORS } from '../ir/operators.js';
import type { Condition } from '../ir/types.js';

export interface ArgBox {
  readonly max: bigint;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly mask: bigint;
  readonly want: bigint;
  readonly excluded: ReadonlySet<bigint>;
}

/** The box of `conds` (all on one argument, at `width` bits), or undefined when a contradiction shows on the way. */
export function argBox(conds: readonly Condition[], width: 32 | 64): ArgBox | undefined {
  const max = (1n << BigInt(width)) - 1n;
  let lo = 0n;
  let hi = max;
  let mask = 0n;
  let want = 0n;
  const excluded = new Set<bigint>();
  for (const c of conds) {
    const k = OPERATORS[c.op].constraint(c);
    switch (k.kind) {
      case 'range':
        if (k.lo > k.hi) return undefined;
        lo = big(lo, k.lo);
        hi = small(hi, k.hi);
        break;
      case 'not-bits':
        if ((k.mask & max) !== max) throw new Error(`internal: '${c.op}' excludes a pattern, not a value`);
        excluded.add(k.value);
        break;
      case 'bits': {
        const m = k.mask & max;
        const v = k.value & max;
        if ((v & ~m & max) !== 0n) return undefined; // (x & m) can never have bits outside m
        if (((want ^ v) & mask & m) !== 0n) return undefined;
        mask |= m;
        want |= v;
        break;
      }
    }
  }
  return lo > hi ? undefined : { max, lo, hi, mask, want, excluded };
}

const big = (a: bigint, b: bigint) => (a > b ? a : b);
const small = (a: bigint, b: bigint) => (a < b ? a : b);
