/**
 * The whole filter as one decision tree: arch dispatch first (seccomp_data.arch compared with
 * each targeted AUDIT_ARCH, anything else -> badArch), then per AUDIT_ARCH a balanced binary
 * search over its nr ranges with JGE (kafel/Chromium style), so the executed path grows with
 * log2(#ranges). Sections sharing an AUDIT_ARCH (x86_64, x32) are one search over the ranges of
 * both, cut at the x32 bit, so an x32 number can never reach an x86_64 rule and vice versa.
 *
 * Order of arch checks: 64-bit AUDIT_ARCHs (__AUDIT_ARCH_64BIT set) first, then by value, so
 * the native ABI of a 64-bit host with compat targets is tested first. Deterministic.
 */
import { SECCOMP_DATA } from '../seccomp/abi.js';
import type { PolicyIR } from '../ir/types.js';
import { ownedSpans, type OwnedSpan } from '../ir/semantics.js';
import { countOverlapping, findRanges, type NrRange } from './ranges.js';
import { FULL_MASK, type DecisionTree, type TreeBuilder } from './tree.js';

const AUDIT_ARCH_64BIT = 0x80000000;

export interface ArchGroup {
  readonly auditArch: number;
  readonly spans: readonly OwnedSpan[];
  readonly ranges: readonly NrRange[];
}

export interface Dispatch {
  readonly root: DecisionTree;
  /** In the order the filter tests them. */
  readonly groups: readonly ArchGroup[];
}

/** Balanced binary search over ranges[lo, hi) (which cover the nr values reaching it). */
function search(b: TreeBuilder, ranges: readonly NrRange[], lo: number, hi: number): DecisionTree {
  if (hi - lo === 1) return ranges[lo]!.tree;
  const mid = (lo + hi) >>> 1;
  return b.test(
    SECCOMP_DATA.nr,
    FULL_MASK,
    'jge',
    ranges[mid]!.start,
    search(b, ranges, mid, hi),
    search(b, ranges, lo, mid),
  );
}

function archOrder(a: number, b: number): number {
  const wideA = (a & AUDIT_ARCH_64BIT) !== 0;
  const wideB = (b & AUDIT_ARCH_64BIT) !== 0;
  if (wideA !== wideB) return wideA ? -1 : 1;
  return a - b;
}

/** Builds the filter's decision tree for `ir`. */
export function dispatch(b: TreeBuilder, ir: PolicyIR): Dispatch {
  const byArch = new Map<number, OwnedSpan[]>();
  for (const span of ownedSpans(ir)) {
    const list = byArch.get(span.section.auditArch) ?? [];
    list.push(span);
    byArch.set(span.section.auditArch, list);
  }
  const groups: ArchGroup[] = [...byArch.keys()].sort(archOrder).map((auditArch) => {
    const spans = byArch.get(auditArch)!;
    return { auditArch, spans, ranges: findRanges(b, spans, ir.badArch) };
  });
  let root = b.leaf(ir.badArch);
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    root = b.test(SECCOMP_DATA.arch, FULL_MASK, 'jeq', g.auditArch, search(b, g.ranges, 0, g.ranges.length), root);
  }
  return { root, groups };
}

/** Ranges per targeted arch name (x86_64 and x32 counted over their own spans). */
export function rangeCounts(d: Dispatch): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of d.groups) for (const s of g.spans) out[s.section.arch] = countOverlapping(g.ranges, s.start, s.end);
  return out;
}
