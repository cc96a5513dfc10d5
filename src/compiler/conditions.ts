/**
 * Rules -> decision tree for one syscall: conditions ANDed, rules tried in order, the first
 * match deciding (the IR contract in src/ir/types.ts). A 64-bit condition becomes tests on the
 * two 32-bit halves of its argument (classic BPF only compares 32-bit words), at the offsets of
 * the section's byte order (argWordOffset); a width-32 condition tests only the low half.
 *
 * Which tests a condition takes, and in which order, is the operator's `halves` formula
 * (src/ir/operators.ts); this file only turns the formula into tree nodes.
 */
import { argWordOffset, type Action, type Endian } from '../seccomp/abi.js';
import type { Condition, Rule } from '../ir/types.js';
import { alternativesTree, runEnding, type ArgumentLayout } from './alternatives.js';
import { OPERATORS, widthMax, type HalfFormula } from '../ir/operators.js';
import type { DecisionTree, TreeBuilder } from './tree.js';

/** The tree of `cond ? onTrue : onFalse`. */
export function conditionTree(
  b: TreeBuilder,
  cond: Condition,
  endian: Endian,
  onTrue: DecisionTree,
  onFalse: DecisionTree,
): DecisionTree {
  const max = widthMax(cond.width);
  if (cond.value < 0n || cond.value > max) throw new Error(`internal: condition value ${cond.value} out of range for width ${cond.width}`);
  const offset = { low: argWordOffset(cond.arg, 'low', endian), high: argWordOffset(cond.arg, 'high', endian) };
  const tree = (f: HalfFormula, t: DecisionTree, e: DecisionTree): DecisionTree => {
    switch (f.kind) {
      case 'const':
        return f.value ? t : e;
      case 'test':
        return b.test(offset[f.half], f.mask, f.op, f.k, t, e);
      case 'not':
        return tree(f.f, e, t);
      case 'and':
        return f.fs.reduceRight<DecisionTree>((rest, x) => tree(x, rest, e), t);
      case 'or':
        return f.fs.reduceRight<DecisionTree>((rest, x) => tree(x, t, rest), e);
    }
  };
  return tree(OPERATORS[cond.op].halves(cond), onTrue, onFalse);
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
    const run = runEnding(rules, end);
    if (run) {
      const members = rules.slice(run.start, end);
      const after = next;
      let t = b.within(['arg-dispatch'], () => alternativesTree(b, members, run.at, endian, after, layout));
      // The conditions the run's rules share, tested once before the dispatch.
      const shared = members[0]!.conditions.filter((_, i) => i !== run.at);
      const origins = [...new Set(members.map((r) => r.origin.index))];
      t = b.within(origins, () => shared.reduceRight((rest, c) => conditionTree(b, c, endian, rest, after), t));
      next = t;
      end = run.start;
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
