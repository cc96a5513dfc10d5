/**
 * Dispatch on one 32-bit word of struct seccomp_data over sorted, gap-free value ranges (the nr
 * ranges of an AUDIT_ARCH, or the low words an argument is compared with): a balanced binary
 * search with JGE (kafel/Chromium style), so the executed path grows with log2(#ranges), except
 * where a segment is one background decision with a few single-value exceptions and a chain of
 * JEQs for them is allowed (`chainLimit`): then the chain, which is also smaller (k tests
 * instead of #ranges - 1).
 *
 * Invariants of the input: ranges[lo..hi) cover every value that reaches the search (sorted,
 * neighbours adjacent), and neighbours have different trees (hash-consed, so identity).
 */
import { FULL_MASK, type DecisionTree, type TreeBuilder } from './tree.js';

export interface ValueRange {
  /** First value (inclusive). */
  readonly start: number;
  /** One past the last value (exclusive); at most 2^32. */
  readonly end: number;
  readonly tree: DecisionTree;
}

/** Most exceptions a JEQ chain may test for a segment of `n` ranges. */
export type ChainLimit = (n: number) => number;

/** A chain only where it is no deeper than the search it replaces. */
export const noDeeperThanSearch: ChainLimit = (n) => Math.ceil(Math.log2(n));

/** The tree testing the word at `offset` over ranges[lo, hi). */
export function searchRanges(
  b: TreeBuilder,
  offset: number,
  ranges: readonly ValueRange[],
  lo: number,
  hi: number,
  chainLimit: ChainLimit = noDeeperThanSearch,
): DecisionTree {
  const n = hi - lo;
  if (n === 1) return ranges[lo]!.tree;
  const chain = exceptionChain(b, offset, ranges, lo, hi, chainLimit(n));
  if (chain) return chain;
  const mid = (lo + hi) >>> 1;
  return b.test(
    offset,
    FULL_MASK,
    'jge',
    ranges[mid]!.start,
    searchRanges(b, offset, ranges, mid, hi, chainLimit),
    searchRanges(b, offset, ranges, lo, mid, chainLimit),
  );
}

/** The JEQ chain for ranges[lo, hi) when it is background + at most `budget` single-value exceptions. */
function exceptionChain(
  b: TreeBuilder,
  offset: number,
  ranges: readonly ValueRange[],
  lo: number,
  hi: number,
  budget: number,
): DecisionTree | undefined {
  // The background: the decision of the wide ranges (all must agree), else the most common one.
  const counts = new Map<DecisionTree, number>();
  let wide: DecisionTree | undefined;
  for (let i = lo; i < hi; i++) {
    const r = ranges[i]!;
    counts.set(r.tree, (counts.get(r.tree) ?? 0) + 1);
    if (r.end - r.start > 1) {
      if (wide && wide !== r.tree) return undefined;
      wide = r.tree;
    }
  }
  const background = wide ?? [...counts].sort((x, y) => y[1] - x[1] || x[0].id - y[0].id)[0]![0];
  const exceptions = ranges.slice(lo, hi).filter((r) => r.tree !== background);
  if (exceptions.length > budget) return undefined;
  let tree = background;
  for (let i = exceptions.length - 1; i >= 0; i--) {
    const e = exceptions[i]!;
    tree = b.test(offset, FULL_MASK, 'jeq', e.start, e.tree, tree);
  }
  return tree;
}
