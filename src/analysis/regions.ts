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

/** Decimal below 2^16, hex above: how people write syscall arguments. */
export function formatValue(v: number | bigint): string {
  const b = BigInt(v);
  return b < 0x10000n ? b.toString() : '0x' + b.toString(16);
}

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

const plain = (c: Cell): boolean => c.mask === 0 && c.exclusions.length === 0;

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

/** "name = 2", "name in {...}", "name & 0xff == 0x1 or name in 3..4", or undefined when unconstrained. */
export function describeWord(partition: Partition, region: Region, word: number, name = wordName(word)): string | undefined {
  const cells = cellsIn(partition, region, word);
  if (!cells) return undefined;
  return wordText(name, cells);
}

function wordText(name: string, cells: readonly Cell[]): string {
  const terms: string[] = [];
  const plainCells = cells.filter(plain);
  if (plainCells.length) terms.push(`${name} ${rangesText(plainSpans(plainCells))}`);
  const masked = cells.filter((c) => !plain(c));
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
    const hiSpans = hi && hi.every(plain) ? plainSpans(hi) : undefined;
    const hiOnly = !hi ? undefined : hiSpans && hiSpans.length === 1 && hiSpans[0]!.lo === hiSpans[0]!.hi ? hiSpans[0]!.lo : undefined;
    const loPlain = (lo ?? []).every(plain);
    if (hi && hiOnly !== undefined && loPlain) {
      const loSpans = lo ? plainSpans(lo) : [{ lo: 0n, hi: 0xffffffffn }];
      const base = hiOnly << 32n;
      parts.push(`arg${i} ${rangesText(loSpans.map((s) => ({ lo: base + s.lo, hi: base + s.hi })))}`);
      continue;
    }
    if (hi) parts.push(wordText(`arg${i}.hi`, hi));
    if (lo) parts.push(wordText(`arg${i}.lo`, lo));
  }
  return parts.join(', ');
}
