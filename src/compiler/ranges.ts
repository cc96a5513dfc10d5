/**
 * Syscall number ranges for one AUDIT_ARCH (kafel's range_rules, Chromium's FindRanges): the
 * whole u32 nr space cut into sorted, gap-free ranges, each with the decision tree of every
 * number in it, neighbours with the same tree merged. Numbers no section owns (x32 numbers in an
 * x86_64-only filter) get `badArch`; owned numbers outside a section's knownNrs (above its last
 * regular syscall, and around arm's or x32's private range) get its `newer` action.
 *
 * Invariants: ranges[0].start === 0, ranges[i].end === ranges[i+1].start, last end === 2^32,
 * and ranges[i].tree !== ranges[i+1].tree (trees are hash-consed, so identity is equality).
 */
import type { Action } from '../seccomp/abi.js';
import type { OwnedSpan } from '../ir/semantics.js';
import type { ArgumentLayout } from './alternatives.js';
import { rulesTree } from './conditions.js';
import type { DecisionTree, TreeBuilder } from './tree.js';

export interface NrRange {
  /** First nr (inclusive). */
  readonly start: number;
  /** One past the last nr (exclusive); at most 2^32. */
  readonly end: number;
  readonly tree: DecisionTree;
}

export const NR_SPACE_END = 2 ** 32;

/**
 * The ranges covering [0, 2^32) for the spans of one AUDIT_ARCH (sorted by start, disjoint);
 * argument alternatives laid out per `layout`.
 */
export function findRanges(b: TreeBuilder, spans: readonly OwnedSpan[], badArch: Action, layout: ArgumentLayout = 'balanced'): NrRange[] {
  const raw: NrRange[] = [];
  const push = (start: number, end: number, tree: DecisionTree): void => {
    if (start < end) raw.push({ start, end, tree });
  };
  let cursor = 0;
  const unowned = b.within(['bad-arch'], () => b.leaf(badArch));
  for (const { section, start, end } of spans) {
    push(cursor, start, unowned);
    const fallback = b.within(['default'], () => b.leaf(section.defaultAction));
    const newer = b.within(['newer'], () => b.leaf(section.newer));
    let at = start;
    for (const known of section.knownNrs) {
      const from = Math.max(at, known.start);
      const to = Math.min(end, known.end);
      if (from >= to) continue;
      push(at, from, newer);
      at = from;
      for (const entry of section.syscalls) {
        if (entry.nr < at || entry.nr >= to) continue; // not owned, or newer: never consulted
        push(at, entry.nr, fallback);
        push(entry.nr, entry.nr + 1, rulesTree(b, entry.rules, section.defaultAction, section.endian, layout));
        at = entry.nr + 1;
      }
      push(at, to, fallback);
      at = to;
    }
    push(at, end, newer);
    cursor = end;
  }
  push(cursor, NR_SPACE_END, unowned);
  return mergeNeighbours(raw);
}

function mergeNeighbours(ranges: readonly NrRange[]): NrRange[] {
  const out: NrRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.tree === r.tree && last.end === r.start) out[out.length - 1] = { ...last, end: r.end };
    else out.push(r);
  }
  return out;
}

/** How many ranges overlap [start, end): the per-section range count reported in stats. */
export function countOverlapping(ranges: readonly NrRange[], start: number, end: number): number {
  return ranges.filter((r) => r.start < end && r.end > start).length;
}
