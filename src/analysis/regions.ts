/**
 * Regions as text: the cells a region allows for one word, merged into value ranges
 * ("2", "3..7", "0x10000..0xffffffff", masked parts as "& 0x7e020000 == 0"), and the arguments
 * of a region ("arg0 = 2, arg1.lo in {1, 3..4}"): an argument whose high half is a single value
 * and whose low half is plain ranges reads as 64-bit ranges; otherwise its halves are shown as
 * `.lo` and `.hi` (the low and high 32 bits).
 */
import type { Cell, Partition } from './cells.js';
import { cellIndices, type Region } from './explore.js';
import { argWord, wordName } from './words.js';

import { formatValue } from '../ir/operators.js';

export { formatValue };

interface Span {
  lo: bigint;
  hi: bigint;
}

function spanText(s: Span): string {
  return s.lo === s.hi ? formatValue(s.lo) : `${formatValue(s.lo)}..${formatValue(s.hi)}`;
}

/** Ranges as "= 2", "in 3..7", "in {1, 3..4}". */
function rangesText(spans: readonly Span[]): string {
  if (spans.length === 1) return spans[0]!.lo === spans[0]!.hi ? `= ${spanText(spans[0]!)}` : `in ${spanText(spans[0]!)}`;
  const shown = spans.slice(0, 8).map(spanText);
  if (spans.length > 8) shown.push(`... ${spans.length - 8} more`);
  return `in {${shown.join(', ')}}`;
}

/** Merges the plain cells of a set into ascending disjoint spans. */
function plainSpans(cells: readonly Cell[]): Span[] {
  const spans: Span[] = [];
  for (const c of [...cells].sort((a, b) => a.lo - b.lo)) {
    const last = spans[spans.length - 1];
    if (last && last.hi + 1n >= BigInt(c.lo)) last.hi = BigInt(Math.max(Number(last.hi), c.hi));
    else spans.push({ lo: BigInt(c.lo), hi: BigInt(c.hi) });
  }
  return spans;
}

function maskedText(c: Cell): string {
  if (c.lo === c.hi) return `= ${formatValue(c.lo)}`;
  const parts: string[] = [];
  if (c.lo !== 0 || c.hi !== 0xffffffff) parts.push(`in ${spanText({ lo: BigInt(c.lo), hi: BigInt(c.hi) })}`);
  if (c.mask !== 0) parts.push(`& 0x${c.mask.toString(16)} == 0x${c.bits.toString(16)}`);
  for (const e of c.exclusions) {
    parts.push(`& 0x${e.mask.toString(16)} ${e.values.length === 1 ? `!= 0x${e.values[0]!.toString(16)}` : `not in {${e.values.map((v) => '0x' + v.toString(16)).join(', ')}}`}`);
  }
  return parts.join(' and ');
}

/** The set's cells, or undefined when it allows every value of the word. */
function cellsIn(partition: Partition, region: Region, word: number): Cell[] | undefined {
  const all = partition[word]!.cells;
  const set = region[word];
  if (!set) return undefined;
  const cells = [...cellIndices(set, all.length)].map((i) => all[i]!);
  return cells.length === all.length ? undefined : cells;
}

/**
 * The set as whole intervals (every cell of the interval is in the set: the masks splitting it
 * do not matter here) and the remaining masked cells.
 */
function simplify(all: readonly Cell[], cells: readonly Cell[]): { spans: Span[]; masked: Cell[] } {
  const total = new Map<number, number>();
  for (const c of all) total.set(c.lo, (total.get(c.lo) ?? 0) + 1);
  const inSet = new Map<number, Cell[]>();
  for (const c of cells) inSet.set(c.lo, [...(inSet.get(c.lo) ?? []), c]);
  const whole: Cell[] = [];
  const masked: Cell[] = [];
  for (const [lo, list] of inSet) {
    if (list.length === total.get(lo)) whole.push({ ...list[0]!, mask: 0, bits: 0, exclusions: [] });
    else masked.push(...list);
  }
  return { spans: plainSpans(whole), masked };
}

/** The complement of ascending disjoint spans within 0..0xffffffff. */
function complement(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  let next = 0n;
  for (const s of spans) {
    if (s.lo > next) out.push({ lo: next, hi: s.lo - 1n });
    next = s.hi + 1n;
  }
  if (next <= 0xffffffffn) out.push({ lo: next, hi: 0xffffffffn });
  return out;
}

/** "name = 2", "name in {...}", "name != 40", masked classes joined with "or"; undefined when unconstrained. */
export function describeWord(partition: Partition, region: Region, word: number, name = wordName(word)): string | undefined {
  const cells = cellsIn(partition, region, word);
  if (!cells) return undefined;
  return wordText(name, partition[word]!.cells, cells);
}

function wordText(name: string, all: readonly Cell[], cells: readonly Cell[]): string {
  const { spans, masked } = simplify(all, cells);
  const terms: string[] = [];
  if (spans.length) {
    const rest = complement(spans);
    if (masked.length === 0 && rest.length < spans.length) {
      const r = rest.length === 1 && rest[0]!.lo === rest[0]!.hi ? `!= ${spanText(rest[0]!)}` : `not ${rangesText(rest)}`;
      terms.push(`${name} ${r}`);
    } else terms.push(`${name} ${rangesText(spans)}`);
  }
  for (const c of masked.slice(0, 4)) terms.push(`${name} ${maskedText(c)}`);
  if (masked.length > 4) terms.push(`${masked.length - 4} more masked classes of ${name}`);
  return terms.join(' or ');
}

/** The constraints of a region on the arguments (and instruction pointer), "" when none. */
export function describeArgs(partition: Partition, region: Region): string {
  const parts: string[] = [];
  const ip = [describeWord(partition, region, 2), describeWord(partition, region, 3)].filter((s) => s !== undefined);
  parts.push(...ip);
  for (let i = 0; i < 6; i++) {
    const lo = cellsIn(partition, region, argWord(i, 'low'));
    const hi = cellsIn(partition, region, argWord(i, 'high'));
    if (!lo && !hi) continue;
    const loAll = partition[argWord(i, 'low')]!.cells;
    const hiAll = partition[argWord(i, 'high')]!.cells;
    const h = hi ? simplify(hiAll, hi) : undefined;
    const l = lo ? simplify(loAll, lo) : undefined;
    const hiOnly = h && h.masked.length === 0 && h.spans.length === 1 && h.spans[0]!.lo === h.spans[0]!.hi ? h.spans[0]!.lo : undefined;
    if (hiOnly !== undefined && (!l || l.masked.length === 0)) {
      const loSpans = l ? l.spans : [{ lo: 0n, hi: 0xffffffffn }];
      const base = hiOnly << 32n;
      parts.push(`arg${i} ${rangesText(loSpans.map((s) => ({ lo: base + s.lo, hi: base + s.hi })))}`);
      continue;
    }
    if (hi) parts.push(wordText(`arg${i}.hi`, hiAll, hi));
    if (lo) parts.push(wordText(`arg${i}.lo`, loAll, lo));
  }
  return parts.join(', ');
}
