/**
 * The rules of one syscall explored like a program (./explore.ts does it for filters): from a
 * region, each rule's conditions split it into where the rule matches (a leaf with its action) and
 * where it does not (passed on to the next rule); what no rule matches gets the fallback. A
 * 64-bit condition is a formula over its 32-bit halves (lexicographic for the ordered ones, as in
 * src/ir/semantics.ts); every predicate of it is constant on the cells of a partition built with
 * ./ir-predicates.ts, so each leaf is decided exactly. The leaves partition the start region, and
 * their number grows with the rules, not with the product of the constants they mention.
 */
import { OPERATORS, type HalfFormula } from '../ir/operators.js';
import type { Condition, Rule } from '../ir/types.js';
import type { Action } from '../seccomp/abi.js';
import { cellOf, predicateHolds, type Partition, type Predicate } from './cells.js';
import { cellIndices, type Region } from './explore.js';
import { argWord } from './words.js';

type Formula =
  | { readonly kind: 'pred'; readonly pred: Predicate }
  | { readonly kind: 'not'; readonly f: Formula }
  | { readonly kind: 'and' | 'or'; readonly fs: readonly Formula[] };

const FULL = 0xffffffff;
const lowOf = (v: bigint): number => Number(v & 0xffffffffn);
const and = (...fs: Formula[]): Formula => ({ kind: 'and', fs });

/** A condition as a formula over 32-bit word predicates: its operator's half tests. */
export function conditionFormula(c: Condition): Formula {
  const word = { low: argWord(c.arg, 'low'), high: argWord(c.arg, 'high') };
  const lift = (f: HalfFormula): Formula => {
    switch (f.kind) {
      case 'test':
        return { kind: 'pred', pred: { word: word[f.half], mask: f.mask, op: f.op, k: f.k } };
      case 'const':
        // an empty 'and' always holds, an empty 'or' never does
        return { kind: f.value ? 'and' : 'or', fs: [] };
      case 'not':
        return { kind: 'not', f: lift(f.f) };
      case 'and':
      case 'or':
        return { kind: f.kind, fs: f.fs.map(lift) };
    }
  };
  return lift(OPERATORS[c.op].halves(c));
}

/** Splits a region on one predicate: [holds, fails], null for an empty side. */
function splitPred(partition: Partition, region: Region, p: Predicate): [Region | null, Region | null] {
  if (p.mask === FULL) {
    if (p.op === 'jeq') return splitEquality(partition, region, p);
    const from = p.op === 'jge' ? p.k : p.op === 'jgt' && p.k !== FULL ? p.k + 1 : undefined;
    const first = from === undefined ? undefined : firstCellFrom(partition, p.word, from);
    if (first !== undefined) return splitAt(partition, region, p.word, first);
  }
  const cells = partition[p.word]!.cells;
  const set = region[p.word];
  const words = (cells.length + 31) >>> 5;
  const yes = new Uint32Array(words);
  const no = new Uint32Array(words);
  let nYes = 0;
  let nNo = 0;
  for (const i of cellIndices(set, cells.length)) {
    if (predicateHolds(p, cells[i]!.rep)) {
      yes[i >>> 5] = yes[i >>> 5]! | (1 << (i & 31));
      nYes++;
    } else {
      no[i >>> 5] = no[i >>> 5]! | (1 << (i & 31));
      nNo++;
    }
  }
  const with_ = (s: Uint32Array | undefined): Region => {
    const r = [...region];
    r[p.word] = s;
    return r;
  };
  if (nYes === 0) return [null, region];
  if (nNo === 0) return [region, null];
  return [with_(yes), with_(no)];
}

/**
 * splitPred for `word == k`: it holds on exactly one cell (the partition has boundaries at k and
 * k + 1, and cells partition the values), so the split is that cell against the rest, found by
 * binary search instead of testing every cell of the region.
 */
function splitEquality(partition: Partition, region: Region, p: Predicate): [Region | null, Region | null] {
  const count = partition[p.word]!.cells.length;
  const cell = cellOf(partition, p.word, p.k);
  const set = region[p.word];
  const bit = (1 << (cell & 31)) >>> 0;
  if (set && (set[cell >>> 5]! & bit) === 0) return [null, region];
  const yes = new Uint32Array((count + 31) >>> 5);
  yes[cell >>> 5] = bit;
  const no = set ? set.slice() : allCells(count);
  no[cell >>> 5] = (no[cell >>> 5]! & ~bit) >>> 0;
  if (no.every((w) => w === 0)) return [region, null];
  const with_ = (s: Uint32Array): Region => {
    const r = [...region];
    r[p.word] = s;
    return r;
  };
  return [with_(yes), with_(no)];
}

/**
 * The index of the first cell of `word` whose values are all >= `from`, when `from` is where an
 * interval starts (cells are ordered by interval, so the cells from there on are exactly the
 * values >= from); undefined otherwise.
 */
function firstCellFrom(partition: Partition, word: number, from: number): number | undefined {
  const cells = partition[word]!.cells;
  let lo = 0;
  let hi = cells.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[mid]!.lo < from) lo = mid + 1;
    else hi = mid;
  }
  return lo === cells.length || cells[lo]!.lo === from ? lo : undefined;
}

/** splitPred for `word >= from` given as the first cell at or above it: bitset masks, no per-cell test. */
function splitAt(partition: Partition, region: Region, word: number, first: number): [Region | null, Region | null] {
  const count = partition[word]!.cells.length;
  const set = region[word] ?? allCells(count);
  const yes = set.slice();
  const no = set.slice();
  const w = first >>> 5;
  yes.fill(0, 0, w);
  no.fill(0, w + 1);
  const below = (1 << (first & 31)) - 1;
  yes[w] = w < yes.length ? (yes[w]! & ~below) >>> 0 : 0;
  if (w < no.length) no[w] = (no[w]! & below) >>> 0;
  const empty = (s: Uint32Array): boolean => s.every((x) => x === 0);
  if (w >= yes.length || empty(yes)) return [null, region];
  if (empty(no)) return [region, null];
  const with_ = (s: Uint32Array): Region => {
    const r = [...region];
    r[word] = s;
    return r;
  };
  return [with_(yes), with_(no)];
}

/** A cell set holding all `count` cells. */
function allCells(count: number): Uint32Array {
  const set = new Uint32Array((count + 31) >>> 5).fill(FULL);
  if (count & 31) set[set.length - 1] = (1 << (count & 31)) - 1;
  return set;
}

/** Splits a region on a formula into disjoint regions where it holds and where it fails. */
function splitFormula(partition: Partition, region: Region, f: Formula): { t: Region[]; f: Region[] } {
  switch (f.kind) {
    case 'pred': {
      const [y, n] = splitPred(partition, region, f.pred);
      return { t: y ? [y] : [], f: n ? [n] : [] };
    }
    case 'not': {
      const s = splitFormula(partition, region, f.f);
      return { t: s.f, f: s.t };
    }
    case 'and':
    case 'or': {
      // and: holds where every part holds; or: fails where every part fails
      let pending = [region];
      const decided: Region[] = [];
      for (const part of f.fs) {
        const next: Region[] = [];
        for (const r of pending) {
          const s = splitFormula(partition, r, part);
          next.push(...(f.kind === 'and' ? s.t : s.f));
          decided.push(...(f.kind === 'and' ? s.f : s.t));
        }
        pending = next;
      }
      return f.kind === 'and' ? { t: pending, f: decided } : { t: decided, f: pending };
    }
  }
}

/**
 * One syscall's rules prepared for a partition: each rule's formula, and the rules whose first
 * condition is an equality filed by the cell of the value it needs in its argument's low word.
 * Such a rule fails everywhere in a region without that cell, and splitting a region on it then
 * yields the region itself as the failing side (the first condition fails first), so leaving it
 * out changes nothing: the candidates for a region are the filed rules of its cells plus the rest.
 */
interface Plan {
  readonly formulas: readonly Formula[];
  /** Low word -> cell -> positions of the rules filed there, ascending. */
  readonly byCell: ReadonlyMap<number, ReadonlyMap<number, readonly number[]>>;
  /** Positions of the rules not filed, ascending. */
  readonly rest: readonly number[];
}

const plans = new WeakMap<Partition, WeakMap<readonly Rule[], Plan>>();

function planOf(partition: Partition, rules: readonly Rule[]): Plan {
  let forPartition = plans.get(partition);
  if (!forPartition) plans.set(partition, (forPartition = new WeakMap()));
  let plan = forPartition.get(rules);
  if (plan) return plan;
  const byCell = new Map<number, Map<number, number[]>>();
  const rest: number[] = [];
  rules.forEach((rule, i) => {
    const first = rule.conditions[0];
    if (first?.op !== 'eq') {
      rest.push(i);
      return;
    }
    const word = argWord(first.arg, 'low');
    const cell = cellOf(partition, word, lowOf(first.value));
    let cells = byCell.get(word);
    if (!cells) byCell.set(word, (cells = new Map()));
    const list = cells.get(cell);
    if (list) list.push(i);
    else cells.set(cell, [i]);
  });
  plan = { formulas: rules.map((rule) => and(...rule.conditions.map(conditionFormula))), byCell, rest };
  forPartition.set(rules, plan);
  return plan;
}

/**
 * Positions of the rules after `from` that can match somewhere in `region`, ascending; with
 * `upTo`, undefined instead when a filed word of the region holds more than `upTo` cells (the
 * caller keeps its longer list rather than pay for this one).
 */
function candidates(partition: Partition, plan: Plan, region: Region, from: number, upTo = Infinity): number[] | undefined {
  const out = plan.rest.filter((i) => i >= from);
  for (const [word, cells] of plan.byCell) {
    const set = region[word];
    const members = set ? set.reduce((n, w) => n + popcount(w), 0) : partition[word]!.cells.length;
    if (members > upTo) return undefined;
    const add = (list: readonly number[]): void => {
      for (const i of list) if (i >= from) out.push(i);
    };
    if (!set) for (const list of cells.values()) add(list);
    else if (members < cells.size) {
      for (const cell of cellIndices(set, partition[word]!.cells.length)) {
        const list = cells.get(cell);
        if (list) add(list);
      }
    } else for (const [cell, list] of cells) if ((set[cell >>> 5]! >>> (cell & 31)) & 1) add(list);
  }
  return out.sort((a, b) => a - b);
}

function popcount(w: number): number {
  w -= (w >>> 1) & 0x55555555;
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A fragment whose filed words hold at most this many cells gets its own candidate list. */
const NARROW_UP_TO = 64;

/**
 * Calls `onLeaf(region, action)` for each region of `start` the rules (first match wins) decide
 * alike. Each region left undecided by a rule goes on by itself (an explicit stack, not the call
 * stack) through the rules after it that can still match it, so a rule costs nothing where it
 * cannot match; the leaves are those of trying every rule on every region in order, in another
 * order.
 */
export function exploreRules(
  partition: Partition,
  rules: readonly Rule[],
  fallback: Action,
  start: Region,
  onLeaf: (region: Region, action: Action) => void,
): void {
  const plan = planOf(partition, rules);
  interface Work {
    readonly region: Region;
    /** Positions of the rules still to try, ascending, from `at`. */
    readonly list: readonly number[];
    readonly at: number;
  }
  const stack: Work[] = [{ region: start, list: candidates(partition, plan, start, 0)!, at: 0 }];
  while (stack.length > 0) {
    const { region, list, at } = stack.pop()!;
    let split = false;
    for (let j = at; j < list.length && !split; j++) {
      const i = list[j]!;
      const s = splitFormula(partition, region, plan.formulas[i]!);
      for (const t of s.t) onLeaf(t, rules[i]!.action);
      if (s.f.length === 1 && s.f[0] === region) continue;
      split = true;
      for (const f of s.f) {
        const narrow = candidates(partition, plan, f, i + 1, NARROW_UP_TO);
        stack.push(narrow ? { region: f, list: narrow, at: 0 } : { region: f, list, at: j + 1 });
      }
    }
    if (!split) onLeaf(region, fallback);
  }
}
