/**
 * The earlier rules of one syscall, for the shadowed-rule check: `firstImplied(conditions)` is the
 * first rule (in the order added) whose conditions `implies()` says the given ones imply, exactly
 * what a scan of every earlier rule would answer, without the scan for the common case of many
 * rules that each test an argument for equality with a different value.
 *
 * Why the index is exact: a rule with an equality `arg i == v` (on the full 64 bits, or on the low
 * 32) among its conditions is implied by satisfiable conditions only if they force arg i (that
 * view of it) to v. Conditions with an `eq` on arg i force it to that value and to no other; ones
 * without any condition on arg i leave it free. So each rule with an equality is filed under one
 * of them, and a query looks up the value its own equalities force (or, when it constrains
 * arg i in some other way, every rule filed under arg i); rules without an equality are always
 * candidates. The same reasoning holds for every equality of a candidate, not only the one it is
 * filed under, so candidates whose other equalities the query does not force are passed over
 * before `implies()` runs: the parts of an `in()` rule share its other conditions, and would
 * otherwise all be filed under one value and checked against each other. Queries `satisfiable()`
 * does not prove satisfiable scan every rule, as before.
 */
import { implies, satisfiable } from './implication.js';
import type { Condition } from './types.js';

const MAX32 = 0xffffffffn;

/** Where a rule is filed: an argument, the width of its `eq`, and the compared value. */
const groupKey = (arg: number, width: 32 | 64): string => `${arg}/${width}`;

export class EarlierRules<T> {
  private readonly items: Array<{ readonly conditions: readonly Condition[]; readonly eqs: readonly Condition[]; readonly value: T }> = [];
  /** Positions of rules without an equality: candidates for every query. */
  private readonly general: number[] = [];
  /** group key -> compared value -> positions; and group key -> all its positions. */
  private readonly byValue = new Map<string, Map<bigint, number[]>>();
  private readonly byGroup = new Map<string, number[]>();
  /** group key -> every value the equalities added so far compared with. */
  private readonly seen = new Map<string, Set<bigint>>();

  add(conditions: readonly Condition[], value: T): void {
    const at = this.items.length;
    const eqs = conditions.filter((c) => c.op === 'eq');
    this.items.push({ conditions, eqs, value });
    // Any equality of a rule may file it; the one on the view whose equalities took the most
    // distinct values so far spreads rules that share an equality (the parts of an in() rule)
    // over short lists.
    for (const c of eqs) {
      const key = groupKey(c.arg, c.width);
      const values = this.seen.get(key) ?? new Set<bigint>();
      this.seen.set(key, values.add(c.width === 32 ? c.value & MAX32 : c.value));
    }
    const spread = (c: Condition): number => this.seen.get(groupKey(c.arg, c.width))!.size;
    const eq = eqs.reduce<Condition | undefined>((best, c) => (best && spread(best) >= spread(c) ? best : c), undefined);
    if (!eq) {
      this.general.push(at);
      return;
    }
    const key = groupKey(eq.arg, eq.width);
    const values = this.byValue.get(key) ?? new Map<bigint, number[]>();
    this.byValue.set(key, values);
    const v = eq.width === 32 ? eq.value & MAX32 : eq.value;
    const same = values.get(v) ?? [];
    same.push(at);
    values.set(v, same);
    const group = this.byGroup.get(key) ?? [];
    group.push(at);
    this.byGroup.set(key, group);
  }

  /** The first added rule whose conditions `conditions` imply (see `implies`), or undefined. */
  firstImplied(conditions: readonly Condition[]): T | undefined {
    // Most syscalls have one rule: nothing earlier, nothing to prove.
    if (this.items.length === 0) return undefined;
    if (satisfiable(conditions) !== 'sat') {
      for (const item of this.items) if (implies(conditions, item.conditions)) return item.value;
      return undefined;
    }
    const candidates = this.candidates(conditions);
    // Per argument view: 'free' (no condition on the argument), the value equalities force, or
    // 'other' (constrained some other way: implies() decides).
    const views = new Map<string, bigint | 'free' | 'other'>();
    const view = (eq: Condition): bigint | 'free' | 'other' => {
      const key = groupKey(eq.arg, eq.width);
      let v = views.get(key);
      if (v === undefined) {
        const on = conditions.filter((c) => c.arg === eq.arg);
        v = on.length === 0 ? 'free' : forcedValue(on, eq.width) ?? 'other';
        views.set(key, v);
      }
      return v;
    };
    const mayImply = (eq: Condition): boolean => {
      const v = view(eq);
      return v === 'other' || v === (eq.width === 32 ? eq.value & MAX32 : eq.value);
    };
    for (const i of candidates) {
      const item = this.items[i]!;
      if (!item.eqs.every(mayImply)) continue;
      if (implies(conditions, item.conditions)) return item.value;
    }
    return undefined;
  }

  /** Positions, ascending, of the rules satisfiable `conditions` can imply. */
  private candidates(conditions: readonly Condition[]): number[] {
    const out = [...this.general];
    for (const [key, values] of this.byValue) {
      const [argText, widthText] = key.split('/') as [string, string];
      const arg = Number(argText);
      const on = conditions.filter((c) => c.arg === arg);
      if (on.length === 0) continue;
      const forced = forcedValue(on, widthText === '32' ? 32 : 64);
      if (forced === undefined) out.push(...this.byGroup.get(key)!);
      else out.push(...(values.get(forced) ?? []));
    }
    return out.sort((a, b) => a - b);
  }
}

/**
 * The value that `eq` conditions among `on` (all on one argument) give that argument's `width`-bit
 * view, or undefined when none does (a 32-bit `eq` says nothing of the upper half).
 */
function forcedValue(on: readonly Condition[], width: 32 | 64): bigint | undefined {
  for (const c of on) {
    if (c.op !== 'eq') continue;
    if (width === 32) return c.value & MAX32;
    if (c.width === 64) return c.value;
  }
  return undefined;
}
