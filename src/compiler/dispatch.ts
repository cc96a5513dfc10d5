/**
 * The whole filter as one decision tree: arch dispatch first (seccomp_data.arch compared with
 * each targeted AUDIT_ARCH, anything else -> badArch), then per AUDIT_ARCH a balanced binary
 * search over its nr ranges with JGE (kafel/Chromium style), so the executed path grows with
 * log2(#ranges); a segment that is one decision with a few single-number exceptions becomes a
 * JEQ chain where that is no deeper (libseccomp-style tests, only where they win; ./search.ts).
 * Sections sharing an AUDIT_ARCH (x86_64, x32) are one search over the ranges of both, cut at the x32 bit, so an x32 number can never reach an x86_64 rule and vice versa.
 *
 * Order of arch checks: 64-bit AUDIT_ARCHs (__AUDIT_ARCH_64BIT set) first, then by value, so
 * the native ABI of a 64-bit host with compat targets is tested first. Deterministic.
 */
import { SECCOMP_DATA } from '../seccomp/abi.js';
import type { PolicyIR } from '../ir/types.js';
import { ownedSpans, type OwnedSpan } from '../ir/semantics.js';
import { countOverlapping, findRanges, type NrRange } from './ranges.js';
import type { ArgumentLayout } from './alternatives.js';
import { searchRanges } from './search.js';
import { FULL_MASK, type DecisionTree, type TreeBuilder } from './tree.js';

const AUDIT_ARCH_64BIT = 0x80000000;

export interface ArchGroup {
  readonly auditArch: number;
  readonly spans: readonly OwnedSpan[];
  readonly ranges: readonly NrRange[];
  /** The nr dispatch (search) of this AUDIT_ARCH. */
  readonly search: DecisionTree;
}

export interface Dispatch {
  readonly root: DecisionTree;
  /** In the order the filter tests them. */
  readonly groups: readonly ArchGroup[];
}

function search(b: TreeBuilder, ranges: readonly NrRange[], lo: number, hi: number): DecisionTree {
  return b.within(['nr-dispatch'], () => searchRanges(b, SECCOMP_DATA.nr, ranges, lo, hi));
}

/**
 * The nr dispatch of one AUDIT_ARCH. With two targeted ABIs (x86_64 and x32) the first test is
 * the ABI boundary itself when both sides have several ranges, so each ABI's search is only as
 * deep as its own ranges require (a balanced search over the union would make the native ABI
 * pay for the other's ranges).
 */
function groupSearch(b: TreeBuilder, g: Pick<ArchGroup, 'spans' | 'ranges'>): DecisionTree {
  const { ranges, spans } = g;
  for (const span of spans.slice(1)) {
    const cut = ranges.findIndex((r) => r.start === span.start);
    if (cut >= 2 && ranges.length - cut >= 2) {
      const above = search(b, ranges, cut, ranges.length);
      const below = search(b, ranges, 0, cut);
      return b.within(['nr-dispatch'], () => b.test(SECCOMP_DATA.nr, FULL_MASK, 'jge', span.start, above, below));
    }
  }
  return search(b, ranges, 0, ranges.length);
}

function archOrder(a: number, b: number): number {
  const wideA = (a & AUDIT_ARCH_64BIT) !== 0;
  const wideB = (b & AUDIT_ARCH_64BIT) !== 0;
  if (wideA !== wideB) return wideA ? -1 : 1;
  return a - b;
}

/** Builds the filter's decision tree for `ir` (argument alternatives laid out per `layout`). */
export function dispatch(b: TreeBuilder, ir: PolicyIR, layout: ArgumentLayout = 'balanced'): Dispatch {
  const byArch = new Map<number, OwnedSpan[]>();
  for (const span of ownedSpans(ir)) {
    const list = byArch.get(span.section.auditArch) ?? [];
    list.push(span);
    byArch.set(span.section.auditArch, list);
  }
  const groups: ArchGroup[] = [...byArch.keys()].sort(archOrder).map((auditArch) => {
    const spans = byArch.get(auditArch)!;
    const ranges = findRanges(b, spans, ir.badArch, layout);
    return { auditArch, spans, ranges, search: groupSearch(b, { spans, ranges }) };
  });
  let root = b.within(['bad-arch'], () => b.leaf(ir.badArch));
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    const otherwise = root;
    root = b.within(['arch-check'], () => b.test(SECCOMP_DATA.arch, FULL_MASK, 'jeq', g.auditArch, g.search, otherwise));
  }
  return { root, groups };
}

/** Ranges per targeted arch name (x86_64 and x32 counted over their own spans). */
export function rangeCounts(d: Dispatch): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of d.groups) for (const s of g.spans) out[s.section.arch] = countOverlapping(g.ranges, s.start, s.end);
  return out;
}

/**
 * Most nr tests on the way to a decision, per targeted arch name: walks each search keeping the
 * nr interval a path admits, and charges the path to the section owning the interval.
 */
export function searchDepths(d: Dispatch): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of d.groups) {
    for (const s of g.spans) out[s.section.arch] = 0;
    const walk = (t: DecisionTree, lo: number, hi: number, depth: number): void => {
      if (lo >= hi) return;
      if (t.kind === 'test' && t.offset === SECCOMP_DATA.nr) {
        if (t.op === 'jge') {
          walk(t.then, Math.max(lo, t.k), hi, depth + 1);
          walk(t.else, lo, Math.min(hi, t.k), depth + 1);
        } else {
          walk(t.then, Math.max(lo, t.k), Math.min(hi, t.k + 1), depth + 1);
          walk(t.else, lo, hi, depth + 1);
        }
        return;
      }
      const owner = g.spans.find((s) => lo >= s.start && lo < s.end);
      if (owner) out[owner.section.arch] = Math.max(out[owner.section.arch]!, depth);
    };
    walk(g.search, 0, 2 ** 32, 0);
  }
  return out;
}
