/**
 * Runs of equality alternatives: consecutive rules of one syscall that each have a single `eq`
 * condition on the same argument and width (`allow('read').when(arg(0).eq(k))` for many k, OCI
 * profiles' value lists). Rule by rule they cost ~4 instructions each (low half, load, high half,
 * load back); as one decision they cost about one: the high half is tested once per distinct high
 * value, then the low half is dispatched by ./search.ts (a JGE search down to short JEQ chains,
 * so the path grows with log2 of the alternatives; neighbouring values with the same action
 * become one range). The `dense` layout, which compile() falls back to when the balanced one
 * does not fit, tests the low half with one JEQ chain per high value (libseccomp's density,
 * linear path).
 *
 * Exactness: the conditions of a run are disjoint except for repeated values, where the first rule
 * wins (as in rule order); so "the first rule of the run whose value the argument equals, else
 * what follows the run" is what the rules decide one by one.
 */
import { argWordOffset, type Endian } from '../seccomp/abi.js';
import type { Condition, Rule } from '../ir/types.js';
import { noDeeperThanSearch, searchRanges, type ChainLimit, type ValueRange } from './search.js';
import type { DecisionTree, TreeBuilder } from './tree.js';

/** How argument alternatives are laid out: searched (path ~log2 n) or one chain per high word (smallest). */
export type ArgumentLayout = 'balanced' | 'dense';

/** Shortest run worth grouping: a single equality stays a plain condition (low half first). */
const MIN_RUN = 2;
const WORD_SPACE = 2 ** 32;
const MASK32 = 0xffffffffn;

/**
 * Chains per layout, for a word dispatched over `n` ranges. Balanced: chains of up to log2(n)
 * values at the leaves of the search (path <= ~2 log2 n, ~1 + 1/log2(n) instructions a value);
 * dense: one chain.
 */
const CHAIN_LIMITS: Readonly<Record<ArgumentLayout, (n: number) => ChainLimit>> = {
  balanced: (n) => {
    const limit = noDeeperThanSearch(n);
    return () => limit;
  },
  dense: () => () => Infinity,
};

/** The single equality of a rule that is one, else undefined. */
function soleEquality(rule: Rule): Condition | undefined {
  const c = rule.conditions.length === 1 ? rule.conditions[0]! : undefined;
  return c?.op === 'eq' ? c : undefined;
}

/** The first index of the run of alternatives that ends at rules[end - 1] (end itself when none). */
export function runStart(rules: readonly Rule[], end: number): number {
  const last = end > 0 ? soleEquality(rules[end - 1]!) : undefined;
  if (!last) return end;
  let start = end - 1;
  while (start > 0) {
    const c = soleEquality(rules[start - 1]!);
    if (!c || c.arg !== last.arg || c.width !== last.width) break;
    start--;
  }
  return end - start >= MIN_RUN ? start : end;
}

/** Sorted (value, tree) pairs as ranges covering the whole u32 space, gaps and all going to `fallback`. */
function toRanges(entries: ReadonlyArray<readonly [number, DecisionTree]>, fallback: DecisionTree): ValueRange[] {
  const out: ValueRange[] = [];
  const push = (start: number, end: number, tree: DecisionTree): void => {
    if (start >= end) return;
    const last = out[out.length - 1];
    if (last && last.tree === tree) out[out.length - 1] = { start: last.start, end, tree };
    else out.push({ start, end, tree });
  };
  let at = 0;
  for (const [value, tree] of entries) {
    push(at, value, fallback);
    push(value, value + 1, tree);
    at = value + 1;
  }
  push(at, WORD_SPACE, fallback);
  return out;
}

/** The word at `offset` dispatched over `byValue` (u32 value -> tree), anything else -> `fallback`. */
function wordTree(
  b: TreeBuilder,
  offset: number,
  byValue: ReadonlyMap<number, DecisionTree>,
  fallback: DecisionTree,
  layout: ArgumentLayout,
): DecisionTree {
  const entries = [...byValue].sort((x, y) => x[0] - y[0]);
  const ranges = toRanges(entries, fallback);
  return searchRanges(b, offset, ranges, 0, ranges.length, CHAIN_LIMITS[layout](ranges.length));
}

/** The tree of a run of alternatives (rules that are each one `eq` on one argument and width), then `next`. */
export function alternativesTree(
  b: TreeBuilder,
  run: readonly Rule[],
  endian: Endian,
  next: DecisionTree,
  layout: ArgumentLayout,
): DecisionTree {
  const first = soleEquality(run[0]!)!;
  // high half -> low half -> the first rule's action for that value
  const byHigh = new Map<number, Map<number, DecisionTree>>();
  for (const rule of run) {
    const v = soleEquality(rule)!.value;
    const high = first.width === 64 ? Number(v >> 32n) : 0;
    const low = Number(v & MASK32);
    const lows = byHigh.get(high) ?? new Map<number, DecisionTree>();
    byHigh.set(high, lows);
    // The value's return belongs to the rule that decides it; the tests are the run's 'arg-dispatch'.
    if (!lows.has(low)) lows.set(low, b.within([rule.origin.index], () => b.leaf(rule.action)));
  }
  const lowOffset = argWordOffset(first.arg, 'low', endian);
  const lowTrees = new Map<number, DecisionTree>();
  for (const [high, lows] of byHigh) lowTrees.set(high, wordTree(b, lowOffset, lows, next, layout));
  if (first.width === 32) return lowTrees.get(0)!;
  return wordTree(b, argWordOffset(first.arg, 'high', endian), lowTrees, next, layout);
}
