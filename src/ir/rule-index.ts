/**
 * First-match lookup over one syscall's rules without scanning them all: rules with an `eq`
 * condition are filed under that condition's (argument, width, value), so an input only visits
 * the rules filed under its own argument values plus the rules without any equality. A rule with
 * several equalities can only match where all of them hold, so any one of them may file it: the
 * one on the argument (at its width) whose equalities take the most distinct values among the
 * rules, so that rules sharing one equality (`arg(0).eq(fd), arg(1).in([...])`) spread out. The first
 * match overall is the smallest position among each list's first match, so the answer is the one
 * a scan in order gives (src/ir/semantics.ts decideRules, which uses this for long rule lists).
 *
 * Indexes are built once per rules array (the IR is immutable) and kept in a WeakMap.
 */
import type { Rule } from './types.js';

const MASK32 = 0xffffffffn;
const MASK64 = 0xffffffffffffffffn;

/** Rules filed by the value of one argument, seen at one width. */
interface Group {
  readonly arg: number;
  readonly width: 32 | 64;
  /** Value -> positions of the rules whose key condition compares equal to it, ascending. */
  readonly byValue: Map<bigint, number[]>;
}

export interface RuleIndex {
  readonly groups: readonly Group[];
  /** Positions of the rules with no `eq` condition, ascending. */
  readonly rest: readonly number[];
}

const indexes = new WeakMap<readonly Rule[], RuleIndex>();

/** The index of `rules` (built on first use). */
export function ruleIndex(rules: readonly Rule[]): RuleIndex {
  let index = indexes.get(rules);
  if (index) return index;
  const groups = new Map<string, Group>();
  const rest: number[] = [];
  const distinct = new Map<string, Set<bigint>>();
  for (const rule of rules) {
    for (const c of rule.conditions) {
      if (c.op !== 'eq') continue;
      const name = `${c.arg}/${c.width}`;
      const values = distinct.get(name) ?? new Set<bigint>();
      distinct.set(name, values.add(c.value));
    }
  }
  const spread = (c: Rule['conditions'][number]): number => distinct.get(`${c.arg}/${c.width}`)?.size ?? 0;
  rules.forEach((rule, i) => {
    const key = rule.conditions.filter((c) => c.op === 'eq').reduce<Rule['conditions'][number] | undefined>((best, c) => (best && spread(best) >= spread(c) ? best : c), undefined);
    if (!key) {
      rest.push(i);
      return;
    }
    const name = `${key.arg}/${key.width}`;
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { arg: key.arg, width: key.width, byValue: new Map() }));
    const list = group.byValue.get(key.value);
    if (list) list.push(i);
    else group.byValue.set(key.value, [i]);
  });
  index = { groups: [...groups.values()], rest };
  indexes.set(rules, index);
  return index;
}

/**
 * The position of the first rule (in order) for which `matches` holds, among the rules that can
 * match `args` by the index; -1 when none does.
 */
export function firstMatch(rules: readonly Rule[], args: readonly bigint[], matches: (rule: Rule) => boolean): number {
  const index = ruleIndex(rules);
  let best = Infinity;
  const scan = (positions: readonly number[]): void => {
    for (const i of positions) {
      if (i >= best) return;
      if (matches(rules[i]!)) {
        best = i;
        return;
      }
    }
  };
  for (const g of index.groups) {
    const raw = (args[g.arg] ?? 0n) & MASK64;
    const list = g.byValue.get(g.width === 32 ? raw & MASK32 : raw);
    if (list) scan(list);
  }
  scan(index.rest);
  return best === Infinity ? -1 : best;
}
