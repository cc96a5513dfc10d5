/**
 * Runs of equality alternatives: consecutive rules of one syscall that are alike but for one `eq`
 * condition, at the same place in each and on the same argument and width
 * (`allow('read').when(arg(0).eq(k))` for many k, OCI profiles' value lists, the rules an
 * `in([...])` condition is written as, with whatever other conditions they share). Rule by rule
 * they cost ~4 instructions each (low half, load, high half, load back) plus the shared
 * conditions again; as one decision they cost about one: the shared conditions are tested once,
 * then the high half once per distinct high value, then the low half is dispatched by ./search.ts
 * (a JGE search down to short JEQ chains, so the path grows with log2 of the alternatives;
 * neighbouring values with the same action become one range). The `dense` layout, which
 * compile() falls back to when the balanced one does not fit, tests the low half with one JEQ
 * chain per high value (libseccomp's density, linear path).
 *
 * Exactness: when the shared conditions fail, no rule of the run matches; when they hold, the
 * rules' remaining conditions are disjoint except for repeated values, where the first rule wins
 * (as in rule order); so "the first rule of the run whose value the argument equals, else what
 * follows the run" is what the rules decide one by one.
 */
import { argWordOffset, type Endian } from '../seccomp/abi.js';
import type { Condition, Rule } from '../ir/types.js';
import { sameCondition } from '../ir/operators.js';
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

/** A run of alternatives: where it starts and the index, in each rule's conditions, of the equality that differs. */
export interface Run {
  readonly start: number;
  readonly at: number;
}

/**
 * Where two rules' conditions differ: the one index (-1 when they are the same conditions), or
 * undefined when they differ elsewhere too, in length, or in anything but the value of an `eq`.
 */
function differingIndex(a: Rule, b: Rule): number | undefined {
  if (a.conditions.length !== b.conditions.length) return undefined;
  let at = -1;
  for (let i = 0; i < a.conditions.length; i++) {
    const x = a.conditions[i]!;
    const y = b.conditions[i]!;
    if (sameCondition(x, y)) continue;
    if (at >= 0 || x.op !== 'eq' || y.op !== 'eq' || x.arg !== y.arg || x.width !== y.width) return undefined;
    at = i;
  }
  return at;
}

/** The run of alternatives that ends at rules[end - 1], or undefined when none does. */
export function runEnding(rules: readonly Rule[], end: number): Run | undefined {
  const last = end > 0 ? rules[end - 1]! : undefined;
  if (!last) return undefined;
  let at = -1;
  let start = end - 1;
  while (start > 0) {
    const d = differingIndex(rules[start - 1]!, last);
    if (d === undefined || (d >= 0 && at >= 0 && d !== at)) break;
    if (d >= 0) at = d;
    start--;
  }
  // Rules with the same conditions throughout: the run differs, if anywhere, at an equality.
  if (at < 0) at = last.conditions.findIndex((c) => c.op === 'eq');
  if (at < 0 || end - start < MIN_RUN) return undefined;
  return { start, at };
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

/**
 * The tree of the equalities at `at` of a run of alternatives (rules alike but for one `eq` on one
 * argument and width, at `at`), then `next`; the conditions the rules share are not tested here.
 */
export function alternativesTree(
  b: TreeBuilder,
  run: readonly Rule[],
  at: number,
  endian: Endian,
  next: DecisionTree,
  layout: ArgumentLayout,
): DecisionTree {
  const first = run[0]!.conditions[at]!;
  // high half -> low half -> the first rule's action for that value
  const byHigh = new Map<number, Map<number, DecisionTree>>();
  for (const rule of run) {
    const v = rule.conditions[at]!.value;
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
