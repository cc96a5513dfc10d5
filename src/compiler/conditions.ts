/**
 * Rules -> decision tree for one syscall: conditions ANDed, rules tried in order, the first
 * match deciding (the IR contract in src/ir/types.ts). A 64-bit condition becomes tests on the
 * two 32-bit halves of its argument (classic BPF only compares 32-bit words), at the offsets of
 * the section's byte order (argWordOffset); a width-32 condition tests only the low half.
 *
 * Unsigned 64-bit order over halves (h, l) is lexicographic: x > v <=> h > vh || (h == vh && l > vl).
 * Equality tests the low half first (it is the half that usually differs, so a mismatch is
 * rejected after one test); ordered comparisons must start with the high half. Constant edges
 * (gt(2^64-1), ge(0), a zero half of the constant) fold to fewer tests, never to a weaker one.
 */
import { argWordOffset, type Action, type Endian } from '../seccomp/abi.js';
import type { Condition, Rule } from '../ir/types.js';
import { alternativesTree, runStart, type ArgumentLayout } from './alternatives.js';
import { FULL_MASK, type DecisionTree, type TreeBuilder } from './tree.js';

const MASK32 = 0xffffffffn;
const MASK64 = 0xffffffffffffffffn;

const lowOf = (v: bigint): number => Number(v & MASK32);
const highOf = (v: bigint): number => Number((v >> 32n) & MASK32);

/** The tree of `cond ? onTrue : onFalse`. */
export function conditionTree(
  b: TreeBuilder,
  cond: Condition,
  endian: Endian,
  onTrue: DecisionTree,
  onFalse: DecisionTree,
): DecisionTree {
  const lo = argWordOffset(cond.arg, 'low', endian);
  const hi = argWordOffset(cond.arg, 'high', endian);
  const wide = cond.width === 64;
  const valueMask = wide ? MASK64 : MASK32;
  const v = cond.value;
  if (v < 0n || v > valueMask) throw new Error(`internal: condition value ${v} out of range for width ${cond.width}`);

  // x > v (unsigned, over the condition's width)
  const greater = (v: bigint, t: DecisionTree, f: DecisionTree): DecisionTree => {
    if (v >= valueMask) return f;
    if (!wide) return b.test(lo, FULL_MASK, 'jgt', lowOf(v), t, f);
    const vh = highOf(v);
    const low = b.test(lo, FULL_MASK, 'jgt', lowOf(v), t, f);
    // high half equal -> decided by the low half; greater -> true; smaller -> false
    if (vh === 0) return b.test(hi, FULL_MASK, 'jeq', 0, low, t);
    return b.test(hi, FULL_MASK, 'jgt', vh, t, b.test(hi, FULL_MASK, 'jeq', vh, low, f));
  };
  // x >= v  <=>  x > v - 1
  const greaterOrEqual = (v: bigint, t: DecisionTree, f: DecisionTree): DecisionTree =>
    v === 0n ? t : greater(v - 1n, t, f);
  const equal = (v: bigint, mask: bigint, t: DecisionTree, f: DecisionTree): DecisionTree => {
    const high = wide ? b.test(hi, highOf(mask), 'jeq', highOf(v), t, f) : t;
    return b.test(lo, lowOf(mask), 'jeq', lowOf(v), high, f);
  };

  switch (cond.op) {
    case 'eq':
      return equal(v, valueMask, onTrue, onFalse);
    case 'ne':
      return equal(v, valueMask, onFalse, onTrue);
    case 'masked_eq':
      return equal(v, (cond.mask ?? valueMask) & valueMask, onTrue, onFalse);
    case 'gt':
      return greater(v, onTrue, onFalse);
    case 'ge':
      return greaterOrEqual(v, onTrue, onFalse);
    case 'lt':
      return greaterOrEqual(v, onFalse, onTrue);
    case 'le':
      return greater(v, onFalse, onTrue);
  }
}

/**
 * The tree deciding one syscall: its rules in order, then `fallback`. Runs of equality
 * alternatives on one argument are decided together (./alternatives.ts), laid out per `layout`.
 */
export function rulesTree(
  b: TreeBuilder,
  rules: readonly Rule[],
  fallback: Action,
  endian: Endian,
  layout: ArgumentLayout = 'balanced',
): DecisionTree {
  // Each rule's nodes are built `within` its index: the provenance of the instructions they become.
  let next = b.within(['default'], () => b.leaf(fallback));
  let end = rules.length;
  while (end > 0) {
    const start = runStart(rules, end);
    if (start < end) {
      const run = rules.slice(start, end);
      const after = next;
      next = b.within(['arg-dispatch'], () => alternativesTree(b, run, endian, after, layout));
      end = start;
      continue;
    }
    const rule = rules[--end]!;
    const after = next;
    next = b.within([rule.origin.index], () => {
      let t = b.leaf(rule.action);
      for (let j = rule.conditions.length - 1; j >= 0; j--) t = conditionTree(b, rule.conditions[j]!, endian, t, after);
      return t;
    });
  }
  return next;
}
