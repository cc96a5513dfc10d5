/**
 * The importer's checks across the alternative (conditional) rules of one syscall: rules with
 * different actions that can match the same call (an error: libseccomp would order them by its
 * tree, not by the profile), and libseccomp 2.5's range mis-compilation (a warning).
 *
 * Both are questions about pairs of rules, and a profile may hold thousands of rules on one
 * syscall (one per allowed value), so neither looks at every pair: overlap candidates come from
 * a sweep over the values each rule allows on one argument (rules whose intervals there are
 * disjoint cannot overlap), and the range check keeps, for each argument, a summary of the rules
 * after the current one. Both report exactly what the plain pairwise loops would.
 */
import { actionToRet, type Action } from '../seccomp/abi.js';
import { CMP_OPS, OPERATORS } from '../ir/operators.js';
import type { Condition, Rule } from '../ir/types.js';
import type { Arch } from '../syscalls/arch.js';
import { syscallName } from '../syscalls/index.js';
import type { OciSink } from './diagnostic.js';
import { conditionsOverlap } from './overlap.js';

/** A rule as libseccomp's db holds it for one arch: a syscall number, conditions, an action. */
export interface DbRule {
  readonly nr: number;
  readonly conditions: readonly Condition[];
  readonly action: Action;
  readonly origin: Rule['origin'];
}

/** Errors listed per syscall before the rest are only counted. */
export const MAX_OVERLAP_ERRORS = 20;

/**
 * One error per pair of rules (in profile order) with different actions that can match the same
 * call; past MAX_OVERLAP_ERRORS pairs, one more error says there are more.
 */
export function checkOverlaps(arch: Arch, nr: number, list: readonly DbRule[], sink: OciSink): void {
  const rets = list.map((r) => actionToRet(r.action));
  if (rets.every((r) => r === rets[0])) return;
  const found: [number, number][] = [];
  for (const [i, j] of candidatePairs(list.map((r) => r.conditions))) {
    if (rets[i] === rets[j] || !conditionsOverlap(list[i]!.conditions, list[j]!.conditions)) continue;
    found.push([i, j]);
    // Past the limit only "more" is said, so the search can stop: overlapping pairs may number n^2.
    if (found.length > MAX_OVERLAP_ERRORS) break;
  }
  const more = found.length > MAX_OVERLAP_ERRORS;
  if (more) found.pop();
  found.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const name = syscallName(arch, nr) ?? `nr ${nr}`;
  for (const [i, j] of found) {
    sink.error(
      'oci-ambiguous-overlap',
      list[j]!.origin.path,
      `on ${arch.name}, ${name}: this rule and ${list[i]!.origin.path} have different actions and can match the same call; libseccomp would pick one by its internal tree order (or refuse with EEXIST). Make their conditions disjoint.`,
    );
  }
  if (more) {
    sink.error('oci-ambiguous-overlap', list[0]!.origin.path, `on ${arch.name}, ${name}: more pairs of rules with different actions overlap than the ${found.length} listed; make the conditions of rules with different actions disjoint`);
  }
}

interface Interval {
  readonly index: number;
  readonly lo: bigint;
  readonly hi: bigint;
}

/**
 * Pairs [i, j] (i < j) of rules that may overlap, a superset of the overlapping ones. The sweep
 * runs on the argument (and width) that the most rules bound with eq/lt/le/gt/ge; a rule that
 * does not bound it spans every value and pairs with all. Rules that bound it to no value at all
 * (unsatisfiable) overlap nothing.
 */
export function* candidatePairs(rules: readonly (readonly Condition[])[]): Generator<[number, number]> {
  const key = sweepKey(rules);
  if (key === undefined) {
    for (let i = 0; i < rules.length; i++) for (let j = i + 1; j < rules.length; j++) yield [i, j];
    return;
  }
  const max = (1n << BigInt(key.width)) - 1n;
  const intervals: Interval[] = [];
  rules.forEach((conds, index) => {
    const iv = interval(conds, key.arg, key.width, max);
    if (iv) intervals.push({ index, ...iv });
  });
  intervals.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.index - b.index));
  let active: Interval[] = [];
  for (const x of intervals) {
    active = active.filter((y) => y.hi >= x.lo);
    for (const y of active) yield y.index < x.index ? [y.index, x.index] : [x.index, y.index];
    active.push(x);
  }
}

/** Operators that bound an argument to an interval. */
const bounding = (c: Condition): boolean => OPERATORS[c.op].constraint(c).kind === 'range';

function sweepKey(rules: readonly (readonly Condition[])[]): { arg: number; width: 32 | 64 } | undefined {
  const counts = new Map<string, number>();
  for (const conds of rules) {
    const seen = new Set<string>();
    for (const c of conds) if (bounding(c)) seen.add(`${c.arg}/${c.width}`);
    for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [k, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (best === undefined || n > counts.get(best)!) best = k;
  if (best === undefined) return undefined;
  const [arg, width] = best.split('/').map(Number) as [number, 32 | 64];
  return { arg, width };
}

/**
 * The values `conds` allow for argument `arg` by their interval conditions at `width`;
 * every value when some condition reads the argument at another width (then nothing is
 * concluded from it); undefined when none.
 */
function interval(conds: readonly Condition[], arg: number, width: 32 | 64, max: bigint): { lo: bigint; hi: bigint } | undefined {
  let lo = 0n;
  let hi = max;
  for (const c of conds) {
    if (c.arg !== arg) continue;
    if (c.width !== width) return { lo: 0n, hi: max };
    const k = OPERATORS[c.op].constraint(c);
    if (k.kind !== 'range') continue;
    if (k.lo > k.hi) return undefined;
    if (k.lo > lo) lo = k.lo;
    if (k.hi < hi) hi = k.hi;
  }
  return lo > hi ? undefined : { lo, hi };
}

/** Ordered comparisons (libseccomp's LT, LE, GT, GE), and those bounding from above. */
const RANGE_OPS: ReadonlySet<string> = new Set(CMP_OPS.filter((op) => OPERATORS[op].order));
const BELOW_OPS: ReadonlySet<string> = new Set(CMP_OPS.filter((op) => OPERATORS[op].order === 'below'));

/** At most two distinct high words: enough to tell whether one other than a given word exists. */
type Highs = readonly bigint[];
const addHigh = (h: Highs, v: bigint): Highs => (h.length >= 2 || h.includes(v) ? h : [...h, v]);
const hasOther = (h: Highs | undefined, v: bigint): boolean => h !== undefined && h.some((x) => x !== v);

/**
 * libseccomp 2.5's tree merge mis-compiles alternatives that compare one argument with range
 * operators whose values differ in the high 32 bits (at least one LT/LE): found by the random
 * profiles of test/oci/libseccomp.test.ts. seccompile follows the profile; say where runc won't.
 * Warns once per syscall, about the first such pair in profile order.
 */
export function checkRangeBug(arch: Arch, nr: number, list: readonly DbRule[], sink: OciSink): void {
  if (arch.wordSize !== 64) return;
  // after[i]: per argument, the high words of range (and of lt/le) conditions in rules i+1...
  const after: { range: Map<number, Highs>; below: Map<number, Highs> }[] = new Array(list.length);
  let range = new Map<number, Highs>();
  let below = new Map<number, Highs>();
  for (let i = list.length - 1; i >= 0; i--) {
    after[i] = { range, below };
    const conds = list[i]!.conditions.filter((c) => RANGE_OPS.has(c.op));
    if (conds.length === 0) continue;
    range = new Map(range);
    below = new Map(below);
    for (const c of conds) {
      range.set(c.arg, addHigh(range.get(c.arg) ?? [], c.value >> 32n));
      if (BELOW_OPS.has(c.op)) below.set(c.arg, addHigh(below.get(c.arg) ?? [], c.value >> 32n));
    }
  }
  const pairs = (a: Condition, b: Condition): boolean =>
    a.arg === b.arg && RANGE_OPS.has(a.op) && RANGE_OPS.has(b.op) && a.value >> 32n !== b.value >> 32n && (BELOW_OPS.has(a.op) || BELOW_OPS.has(b.op));
  for (let i = 0; i < list.length; i++) {
    const { range: r, below: b } = after[i]!;
    const first = list[i]!.conditions.filter(
      (a) => RANGE_OPS.has(a.op) && (BELOW_OPS.has(a.op) ? hasOther(r.get(a.arg), a.value >> 32n) : hasOther(b.get(a.arg), a.value >> 32n)),
    );
    if (first.length === 0) continue;
    for (let j = i + 1; j < list.length; j++) {
      for (const a of list[i]!.conditions) {
        if (!list[j]!.conditions.some((c) => pairs(a, c))) continue;
        const name = syscallName(arch, nr) ?? `nr ${nr}`;
        sink.warning(
          'oci-libseccomp-range-bug',
          list[j]!.origin.path,
          `on ${arch.name}, ${name}: libseccomp 2.5 mis-compiles range comparisons of argument ${a.arg} whose values differ in the high 32 bits across alternative rules (here and ${list[i]!.origin.path}); runc's filter may not decide as the profile says, seccompile's does`,
        );
        return;
      }
    }
  }
}
