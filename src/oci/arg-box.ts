/**
 * The values of one argument that a conjunction of conditions (one width) allows, in the shape
 * both the overlap check (overlap.ts) and the exporter's disjoint alternatives (conditions.ts)
 * reason about: an interval, a fixed bit pattern from the masked tests, and excluded points.
 * x is allowed when lo <= x <= hi, (x & mask) == want and x is not in `excluded`.
 */
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
    switch (c.op) {
      case 'eq':
        lo = big(lo, c.value);
        hi = small(hi, c.value);
        break;
      case 'ne':
        excluded.add(c.value);
        break;
      case 'lt':
        if (c.value === 0n) return undefined;
        hi = small(hi, c.value - 1n);
        break;
      case 'le':
        hi = small(hi, c.value);
        break;
      case 'gt':
        if (c.value >= max) return undefined;
        lo = big(lo, c.value + 1n);
        break;
      case 'ge':
        lo = big(lo, c.value);
        break;
      case 'masked_eq': {
        const m = (c.mask ?? 0n) & max;
        const v = c.value & max;
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
