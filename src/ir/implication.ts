/**
 * Exact reasoning about sets of argument values, for the shadowed-rule check and for dropping
 * multiplexer expansions an earlier rule already decides. `implies(a, b)` is true only when
 * proven: every argument vector satisfying all of `a` satisfies all of `b` (so a rule with
 * conditions `a` placed after one with `b`, for the same syscall, can never match).
 *
 * Arguments are independent, so a conjunction's solution set is a product of per-argument sets
 * and a ⇒ b holds iff, for each condition c of b on argument i, (a's conditions on i) ∧ ¬c has
 * no solution. Per argument every condition becomes one of: a 64-bit interval, an interval on
 * the low 32 bits, fixed bits (x & m == v) or an excluded pattern (x & m != v): the operator's
 * constraint (./operators.ts), or its negation's. Satisfiability of such a conjunction is decided by a search
 * over the bits from the most significant down, pruned by the intervals and fixed bits, closed
 * in O(64) once only intervals and fixed bits are left, and memoized on subtrees whose answer
 * cannot depend on their prefix. Should excluded patterns still make it blow up, it stops after
 * a node budget and answers 'unknown' (never 'unsat' without proof: a missed warning is
 * harmless, a wrong one is not).
 */
import { MASK32, MASK64, OPERATORS, sameCondition, type Constraint } from './operators.js';
import type { Condition } from './types.js';

export type Sat = 'sat' | 'unsat' | 'unknown';

const MAX64 = MASK64;
const MAX32 = MASK32;
const NODE_BUDGET = 20_000;

interface Pattern {
  readonly mask: bigint;
  readonly value: bigint;
}

/** The constraints on one argument, x being its unsigned 64-bit value. */
class ArgSet {
  min = 0n; // x >= min
  max = MAX64; // x <= max
  loMin = 0n; // low32(x) >= loMin
  loMax = MAX32; // low32(x) <= loMax
  fixedMask = 0n; // x & fixedMask == fixedValue
  fixedValue = 0n;
  excluded: Pattern[] = []; // x & mask != value, for each
  empty = false;

  add(c: Condition, negated: boolean): void {
    const op = OPERATORS[c.op];
    const k = op.constraint(c);
    if (!negated) return this.constrain(k, c.width);
    if (op.negation) return this.constrain(OPERATORS[op.negation].constraint(c), c.width);
    // A negated mask test: x & m != v. When v has bits outside the mask it is always true.
    if (k.kind === 'bits' && (k.value & ~k.mask) === 0n) this.excluded.push({ mask: k.mask, value: k.value });
    else if (k.kind !== 'bits') throw new Error(`internal: no negation for '${c.op}'`);
  }

  private constrain(k: Constraint, width: 32 | 64): void {
    switch (k.kind) {
      case 'bits':
        return this.fix(k.mask, k.value);
      case 'not-bits':
        return void this.excluded.push({ mask: k.mask, value: k.value });
      case 'range':
        if (k.lo > k.hi) this.empty = true;
        else if (width === 64) {
          this.min = k.lo > this.min ? k.lo : this.min;
          this.max = k.hi < this.max ? k.hi : this.max;
        } else if (k.lo === k.hi) this.fix(MAX32, k.lo); // one low half: fixed bits search best
        else {
          this.loMin = k.lo > this.loMin ? k.lo : this.loMin;
          this.loMax = k.hi < this.loMax ? k.hi : this.loMax;
        }
    }
  }

  private fix(mask: bigint, value: bigint): void {
    if ((value & ~mask) !== 0n || (this.fixedMask & mask & (this.fixedValue ^ value)) !== 0n) {
      this.empty = true;
      return;
    }
    this.fixedMask |= mask;
    this.fixedValue |= value;
  }

  /** Whether x meets every constraint (intervals assumed non-empty). */
  private holds(x: bigint): boolean {
    const lo = x & MAX32;
    if (x < this.min || x > this.max || lo < this.loMin || lo > this.loMax) return false;
    if ((x & this.fixedMask) !== this.fixedValue) return false;
    return this.excluded.every((e) => (x & e.mask) !== e.value);
  }

  satisfiable(): Sat {
    if (this.empty || this.min > this.max || this.loMin > this.loMax) return 'unsat';
    // One candidate (an equality, the common case): test it instead of searching.
    if (this.min === this.max) return this.holds(this.min) ? 'sat' : 'unsat';
    // Excluded patterns entirely inside the fixed bits are decided now.
    const live: Pattern[] = [];
    for (const e of this.excluded) {
      if ((e.mask & this.fixedMask & (e.value ^ this.fixedValue)) !== 0n) continue; // always differs
      if ((e.mask & ~this.fixedMask) === 0n) return 'unsat'; // always equal
      live.push(e);
    }
    // Low 32 bits on their own (independent of the high half): some value in [loMin, loMax]
    // must match the fixed low bits.
    const loFixed = this.fixedMask & MAX32;
    const first = minMatching(this.loMin, loFixed, this.fixedValue & MAX32, 32);
    if (first === undefined || first > this.loMax) return 'unsat';
    const search = new Search(this, live);
    try {
      return search.node(0n, 64, live) ? 'sat' : 'unsat';
    } catch (e) {
      if (e === BUDGET) return 'unknown';
      throw e;
    }
  }
}

const BUDGET = Symbol('budget');

/** Depth-first search for one x satisfying an ArgSet; a node is a prefix (bits >= r decided). */
class Search {
  private nodes = 0;
  private readonly memo = new Map<string, boolean>();
  private readonly ids: ReadonlyMap<Pattern, number>;
  constructor(
    private readonly s: ArgSet,
    live: readonly Pattern[],
  ) {
    this.ids = new Map(live.map((e, i) => [e, i]));
  }

  node(base: bigint, r: number, live: readonly Pattern[]): boolean {
    if (++this.nodes > NODE_BUDGET) throw BUDGET;
    const s = this.s;
    const span = (1n << BigInt(r)) - 1n;
    const hi = base + span;
    if (hi < s.min || base > s.max) return false;
    const lo32 = base & MAX32;
    if (r <= 32 && (lo32 + span < s.loMin || lo32 > s.loMax)) return false;
    const still: Pattern[] = [];
    for (const e of live) {
      if (((base ^ e.value) & e.mask & ~span) !== 0n) continue; // a decided bit differs: holds
      if ((e.mask & span) === 0n) return false; // every masked bit decided and equal
      still.push(e);
    }
    if (still.length === 0 && base >= s.min && hi <= s.max) {
      // Only fixed bits and the low-32 interval remain, and both are closed-form.
      if (r > 32) return true; // the low half is independent of this prefix and feasible
      const from = s.loMin > lo32 ? s.loMin - lo32 : 0n;
      const low = minMatching(from, s.fixedMask & span, s.fixedValue & span, r);
      return low !== undefined && lo32 + low <= s.loMax;
    }
    if (r === 0) return false; // unreachable: at r = 0 every pattern is decided and base in [min, max]
    // A subtree inside every interval poses the same problem whatever its prefix (the fixed bits
    // and the live patterns only look at the remaining bits), so its answer is shared.
    const invariant = base >= s.min && hi <= s.max && (r > 32 || (lo32 >= s.loMin && lo32 + span <= s.loMax));
    const key = invariant ? `${r}:${still.map((e) => this.ids.get(e)).join(',')}` : undefined;
    if (key !== undefined && this.memo.has(key)) return this.memo.get(key)!;
    const bit = 1n << BigInt(r - 1);
    let found = false;
    for (const b of [0n, bit]) {
      if ((s.fixedMask & bit) !== 0n && (s.fixedValue & bit) !== b) continue;
      if ((found = this.node(base | b, r - 1, still))) break;
    }
    if (key !== undefined) this.memo.set(key, found);
    return found;
  }
}

/** The smallest x >= from with x < 2^width and x & mask == value, or undefined. */
export function minMatching(from: bigint, mask: bigint, value: bigint, width: number): bigint | undefined {
  const limit = 1n << BigInt(width);
  if (from >= limit) return undefined;
  if ((from & mask) === value) return from;
  // The answer exceeds `from`: above some bit p it equals `from`, at p it has 1 where from has 0,
  // below p it is as small as the fixed bits allow. The lowest valid p gives the smallest.
  for (let p = 0; p < width; p++) {
    const bit = 1n << BigInt(p);
    if ((from & bit) !== 0n) continue;
    if ((mask & bit) !== 0n && (value & bit) === 0n) continue;
    const above = ~((bit << 1n) - 1n);
    if (((from ^ value) & mask & above & (limit - 1n)) !== 0n) continue;
    return (from & above & (limit - 1n)) | bit | (value & (bit - 1n));
  }
  return undefined;
}

function argSet(conditions: readonly Condition[], arg: number): ArgSet {
  const s = new ArgSet();
  for (const c of conditions) if (c.arg === arg) s.add(c, false);
  return s;
}

/** Whether some argument vector satisfies all the conditions. */
export function satisfiable(conditions: readonly Condition[]): Sat {
  let result: Sat = 'sat';
  for (const arg of new Set(conditions.map((c) => c.arg))) {
    const r = argSet(conditions, arg).satisfiable();
    if (r === 'unsat') return 'unsat';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}

/** True only when proven: whenever all of `a` hold, all of `b` hold. */
export function implies(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (b.every((c) => a.some((x) => sameCondition(x, c)))) return true;
  if (satisfiable(a) === 'unsat') return true;
  for (const c of b) {
    if (a.some((x) => sameCondition(x, c))) continue;
    const s = argSet(a, c.arg);
    s.add(c, true);
    if (s.satisfiable() !== 'unsat') return false;
  }
  return true;
}
