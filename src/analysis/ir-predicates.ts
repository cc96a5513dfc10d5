/**
 * A policy's IR seen as comparisons on seccomp_data words, so that its decisions are constant on
 * the cells of a partition (./cells.ts) just as a compare-only filter's are: the arch values of
 * its sections, the nr boundaries of its sections (nrBase, the start and end of each known span,
 * where `newer` stops and starts, the end of each owned span) and of each syscall with rules,
 * and each condition split into 32-bit halves. An ordered 64-bit comparison is lexicographic
 * over (high, low): the high half needs `== vh` (cells vh and vh + 1), the low half `> vl` and
 * `>= vl`.
 */
import { ownedSpans } from '../ir/semantics.js';
import type { Condition, PolicyIR } from '../ir/types.js';
import type { Predicate } from './cells.js';
import { argWord, ARCH_WORD, NR_WORD } from './words.js';

const FULL = 0xffffffff;
const lowOf = (v: bigint): number => Number(v & 0xffffffffn);
const highOf = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);

/** The words a condition reads: its argument's low half, and the high half for width 64. */
export function conditionWords(c: Condition): number[] {
  return c.width === 64 ? [argWord(c.arg, 'low'), argWord(c.arg, 'high')] : [argWord(c.arg, 'low')];
}

/** The 32-bit comparisons on which one condition is constant. */
export function conditionPredicates(c: Condition): Predicate[] {
  const lo = argWord(c.arg, 'low');
  const hi = argWord(c.arg, 'high');
  const v = c.value;
  const out: Predicate[] = [];
  const half = (word: number, value: number, mask: number): void => {
    switch (c.op) {
      case 'eq':
      case 'ne':
        out.push({ word, mask: FULL, op: 'jeq', k: value });
        break;
      case 'masked_eq':
        out.push({ word, mask, op: 'jeq', k: value });
        break;
      default:
        out.push({ word, mask: FULL, op: 'jeq', k: value }, { word, mask: FULL, op: 'jge', k: value }, { word, mask: FULL, op: 'jgt', k: value });
    }
  };
  const mask = c.mask ?? 0xffffffffffffffffn;
  half(lo, lowOf(v), lowOf(mask));
  if (c.width === 64) half(hi, highOf(v), highOf(mask));
  return out;
}

/** Comparisons on which `decide(ir, ...)` is constant (see the file header). */
export function irPredicates(ir: PolicyIR): Predicate[] {
  const out: Predicate[] = [];
  const start = (word: number, k: number): void => {
    if (k <= FULL) out.push({ word, mask: FULL, op: 'jge', k });
  };
  for (const span of ownedSpans(ir)) {
    const s = span.section;
    out.push({ word: ARCH_WORD, mask: FULL, op: 'jeq', k: s.auditArch });
    start(NR_WORD, span.start);
    start(NR_WORD, span.end);
    for (const known of s.knownNrs) {
      start(NR_WORD, known.start);
      start(NR_WORD, known.end);
    }
    for (const e of s.syscalls) {
      out.push({ word: NR_WORD, mask: FULL, op: 'jeq', k: e.nr });
      for (const r of e.rules) for (const c of r.conditions) out.push(...conditionPredicates(c));
    }
  }
  return out;
}
