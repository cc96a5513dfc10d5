/**
 * Partitioning each seccomp_data word into cells on which every comparison of the programs (and
 * policies) under analysis gives one answer, so that evaluating one representative per cell is
 * the same as evaluating every value in it.
 *
 * A comparison reads `(word & mask) op k` (op: jeq, jgt, jge, jset; mask 0xffffffff when the
 * program did not `and`). Three kinds of cell boundaries make every comparison constant per cell:
 *  - unmasked jeq/jgt/jge (and masks that only clear low bits, for which `word & mask` is
 *    monotone in `word`): interval boundaries, the cell starts at k and k + 1 (jeq), k + 1 (jgt), k (jge);
 *  - masked jeq and jset (`word & m == k`, `word & m == 0`): equality groups, one per mask,
 *    whose classes are "word & m equals this compared value" or "none of them";
 *  - masked jgt/jge with any other mask: the mask's bits are enumerated as patterns.
 * A cell is an interval, a fixed bit pattern (the equalities merged) and a list of excluded
 * masked values; its representative is its smallest member (found by `findRep`), so the smallest
 * counterexample a caller finds among representatives is the smallest there is.
 */

import { SearchTooLarge, smallestMember } from './smallest-member.js';

export type JumpOp = 'jeq' | 'jgt' | 'jge' | 'jset';

/** One comparison a program makes: `(word & mask) op k`. */
export interface Predicate {
  readonly word: number;
  readonly mask: number;
  readonly op: JumpOp;
  readonly k: number;
}

/** Whether `(value & p.mask) op p.k` holds (classic BPF semantics, unsigned). */
export function predicateHolds(p: Predicate, value: number): boolean {
  const v = (value & p.mask) >>> 0;
  switch (p.op) {
    case 'jeq':
      return v === p.k;
    case 'jgt':
      return v > p.k;
    case 'jge':
      return v >= p.k;
    case 'jset':
      return (v & p.k) !== 0;
  }
}

/** `value & mask` must not be any of `values`. */
export interface Exclusion {
  readonly mask: number;
  readonly values: readonly number[];
}

/** Values v with lo <= v <= hi, (v & mask) == bits, and no exclusion hit; `rep` its smallest member. */
export interface Cell {
  readonly lo: number;
  readonly hi: number;
  readonly mask: number;
  readonly bits: number;
  readonly exclusions: readonly Exclusion[];
  readonly rep: number;
}

/** The cells of one word, ordered by interval, then pattern. */
export interface WordPartition {
  readonly word: number;
  readonly cells: readonly Cell[];
}

export type Partition = readonly WordPartition[];

/** A word would need more cells than the limit: the caller falls back to sampling. */
export class PartitionTooLarge extends Error {
  override readonly name = 'PartitionTooLarge';
}

/** Largest number of cells per word (each path's state holds a bitset over them). */
export const MAX_CELLS = 1 << 16;
const U32_MAX = 0xffffffff;
const FULL = 0xffffffff;

interface WordSpec {
  readonly starts: Set<number>;
  readonly groups: Map<number, Set<number>>;
  patternBits: number;
}

/** Records what `p` needs of its word's partition. */
function addPredicate(spec: WordSpec, p: Predicate): void {
  const mask = p.mask >>> 0;
  const k = p.k >>> 0;
  const start = (v: number): void => {
    if (v <= U32_MAX) spec.starts.add(v);
  };
  if (p.op === 'jset') {
    const bits = (mask & k) >>> 0;
    if (bits !== 0) group(spec, bits).add(0);
    return;
  }
  if (mask === 0) return; // compares the constant 0
  const lowClear = (~mask + 1) >>> 0; // 2^t when mask clears exactly the low t bits
  if ((lowClear & ~mask) === 0) {
    // mask == ~(2^t - 1): word & mask is `word` rounded down to a multiple of step = 2^t (t = 0: unmasked)
    const step = mask === FULL ? 1 : lowClear;
    const base = (k & mask) >>> 0;
    const aligned = base === k;
    if (p.op === 'jeq') {
      if (aligned) {
        start(k);
        start(k + step);
      }
    } else if (p.op === 'jgt') start(base + step);
    else start(aligned ? k : base + step);
    return;
  }
  if (p.op === 'jeq') {
    if ((k & ~mask) === 0) group(spec, mask).add(k);
    return;
  }
  spec.patternBits = (spec.patternBits | mask) >>> 0;
}

function group(spec: WordSpec, mask: number): Set<number> {
  let g = spec.groups.get(mask);
  if (!g) spec.groups.set(mask, (g = new Set()));
  return g;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v; v = (v & (v - 1)) >>> 0) n++;
  return n;
};

/**
 * The partition of every word (WORD_COUNT of them) for a set of predicates. `extraStarts` adds
 * interval boundaries (e.g. 0x40000000 on nr, so x86_64 and x32 numbers never share a cell).
 * Throws PartitionTooLarge when a word needs more than `maxCells` cells.
 */
export function buildPartition(
  predicates: Iterable<Predicate>,
  wordCount: number,
  extraStarts: ReadonlyMap<number, readonly number[]> = new Map(),
  maxCells = MAX_CELLS,
): Partition {
  const specs: WordSpec[] = Array.from({ length: wordCount }, () => ({ starts: new Set([0]), groups: new Map(), patternBits: 0 }));
  for (const p of predicates) addPredicate(specs[p.word]!, p);
  for (const [w, starts] of extraStarts) for (const s of starts) specs[w]!.starts.add(s >>> 0);
  return specs.map((spec, word) => ({ word, cells: wordCells(word, spec, maxCells) }));
}

function wordCells(word: number, spec: WordSpec, maxCells: number): Cell[] {
  const starts = [...spec.starts].sort((a, b) => a - b);
  // A group whose bits are all enumerated as a pattern is decided by the pattern already.
  const groups = [...spec.groups]
    .filter(([m]) => (m & ~spec.patternBits) !== 0)
    .sort((a, b) => a[0] - b[0])
    .map(([mask, values]) => ({ mask, values: [...values].sort((a, b) => a - b) }));
  // Every (interval, pattern) pair is a cell or more: that product is known before enumerating.
  // The equality groups multiply it only where their values are compatible (nested masks such as
  // 0x1, 0x3, 0x7, ... with different values mostly are not), so they are counted as enumerated.
  const combos = starts.length * 2 ** popcount(spec.patternBits);
  const tooMany = (n: number | string) =>
    new PartitionTooLarge(`the comparisons on seccomp_data word ${word} would split it into ${n} cells (limit ${maxCells})`);
  if (combos > maxCells) throw tooMany(combos);

  const cells: Cell[] = [];
  const budget: Budget = { steps: maxCells * WORK_PER_CELL, maxCells, tooMany: () => tooMany(`more than ${maxCells}`) };
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i]!;
    const hi = i + 1 < starts.length ? starts[i + 1]! - 1 : U32_MAX;
    // every submask of patternBits, ascending
    const P = spec.patternBits;
    let p = 0;
    for (;;) {
      addClasses(cells, lo, hi, P, p, groups, budget);
      if (p === P) break;
      p = ((p - P) & P) >>> 0; // next submask
    }
  }
  return cells;
}

/** Search steps allowed per cell of the limit: enough for any partition within it, bounded for those beyond. */
const WORK_PER_CELL = 16;

interface Budget {
  steps: number;
  readonly maxCells: number;
  readonly tooMany: () => PartitionTooLarge;
}

/**
 * Appends the cells of [lo, hi] with the pattern (mask, bits): depth-first over the equality
 * groups, in each group its values in order and then "none of them". An explicit stack, not the
 * call stack: a word compared under thousands of different masks has that many groups.
 */
function addClasses(
  cells: Cell[],
  lo: number,
  hi: number,
  mask0: number,
  bits0: number,
  groups: readonly { mask: number; values: readonly number[] }[],
  budget: Budget,
): void {
  const stack: { mask: number; bits: number; g: number; exclusions: Exclusion[] }[] = [{ mask: mask0, bits: bits0, g: 0, exclusions: [] }];
  next: while (stack.length > 0) {
    const { mask, bits, g, exclusions } = stack.pop()!;
    if (--budget.steps < 0) throw budget.tooMany();
    if (g === groups.length) {
      const live = exclusions.filter((e) => (e.mask & ~mask) !== 0);
      if (live.length !== exclusions.length) {
        // exclusions decided by the fixed bits alone
        for (const e of exclusions) if ((e.mask & ~mask) === 0 && e.values.includes((bits & e.mask) >>> 0)) continue next;
      }
      // an exclusion listing every value its free bits can take leaves nothing
      for (const e of live) {
        const free = popcount(e.mask & ~mask);
        if (free <= 16 && e.values.filter((v) => ((v ^ bits) & e.mask & mask) === 0).length >= 2 ** free) continue next;
      }
      const rep = findRep(lo, hi, mask, bits, live);
      if (rep !== undefined) {
        cells.push({ lo, hi, mask, bits, exclusions: live, rep });
        if (cells.length > budget.maxCells) throw budget.tooMany();
      }
      continue;
    }
    const grp = groups[g]!;
    // pushed in reverse, so they are taken in order: the values, then "none of them"
    stack.push({ mask, bits, g: g + 1, exclusions: [...exclusions, grp] });
    for (let k = grp.values.length - 1; k >= 0; k--) {
      const v = grp.values[k]!;
      // (x & grp.mask) == v merged into (x & mask) == bits, when consistent
      if (((bits ^ v) & mask & grp.mask) !== 0) continue;
      stack.push({ mask: (mask | grp.mask) >>> 0, bits: (bits | v) >>> 0, g: g + 1, exclusions });
    }
  }
}

/** The smallest v >= lo with (v & mask) == bits (bits within mask), or undefined. */
export function minInPattern(lo: number, mask: number, bits: number): number | undefined {
  const diff = ((lo ^ bits) & mask) >>> 0;
  if (diff === 0) return lo >>> 0;
  const top = 31 - Math.clz32(diff); // highest bit where lo breaks the pattern
  // Keep lo's bits above some i >= top, turn a 0 of lo at i into a 1 the pattern allows, and
  // put the pattern's smallest completion below i. The lowest such i gives the smallest value.
  for (let i = top; i < 32; i++) {
    if ((lo >>> i) & 1) continue;
    if ((mask >>> i) & 1 && !((bits >>> i) & 1)) continue;
    const unit = 2 ** i;
    const above = lo - (lo % (unit * 2));
    return above + unit + ((bits & (unit - 1)) >>> 0);
  }
  return undefined;
}

/**
 * The smallest v in [lo, hi] with (v & mask) == bits and (v & e.mask) outside e.values for every
 * exclusion, or undefined. When v hits an exclusion, every pattern value up to v with all free
 * bits below the exclusion's lowest free bit set hits it too, so the search skips past them.
 * Exclusions on low bits can make it skip one value at a time over a range with no member; after
 * SKIPS steps the bitwise search of smallest-member.ts answers instead.
 */
export function findRep(lo: number, hi: number, mask: number, bits: number, exclusions: readonly Exclusion[]): number | undefined {
  let v = minInPattern(lo, mask, bits);
  for (let guard = 0; v !== undefined && v <= hi; guard++) {
    const value = v;
    const hit = exclusions.find((e) => e.values.includes((value & e.mask) >>> 0));
    if (!hit) return v;
    if (guard > SKIPS) return exactRep(lo, hi, mask, bits, exclusions);
    const free = (hit.mask & ~mask) >>> 0;
    if (free === 0) return undefined;
    const low = 31 - Math.clz32(free & -free);
    const skip = (v | (~mask & (2 ** low - 1))) >>> 0;
    if (skip >= U32_MAX) return undefined;
    v = minInPattern(skip + 1, mask, bits);
  }
  return undefined;
}

const SKIPS = 64;

function exactRep(lo: number, hi: number, mask: number, bits: number, exclusions: readonly Exclusion[]): number | undefined {
  try {
    return smallestMember(lo, hi, mask, bits, exclusions);
  } catch (e) {
    if (e instanceof SearchTooLarge) throw new PartitionTooLarge(`masked comparisons too intricate to enumerate exactly (${e.message})`);
    throw e;
  }
}

/** Whether `value` belongs to `cell`. */
export function inCell(cell: Cell, value: number): boolean {
  const v = value >>> 0;
  if (v < cell.lo || v > cell.hi || ((v & cell.mask) >>> 0) !== cell.bits) return false;
  return cell.exclusions.every((e) => !e.values.includes((v & e.mask) >>> 0));
}

/** The index of the cell of `word` holding `value` (cells partition the word's values). */
export function cellOf(partition: Partition, word: number, value: number): number {
  const cells = partition[word]!.cells;
  // cells are ordered by interval: binary search the first cell of the value's interval
  let lo = 0;
  let hi = cells.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (cells[mid]!.lo <= value >>> 0) lo = mid;
    else hi = mid - 1;
  }
  const start = cells[lo]!.lo;
  for (let i = lo; i >= 0 && cells[i]!.lo === start; i--) if (inCell(cells[i]!, value)) return i;
  throw new Error(`internal: no cell of word ${word} holds ${value}`);
}
