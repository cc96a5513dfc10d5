/**
 * A policy's IR seen as comparisons on seccomp_data words, so that its decisions are constant on
 * the cells of a partition (./cells.ts) just as a compare-only filter's are: the arch values of
 * its sections, the nr boundaries of its sections (nrBase, the start and end of each known span,
 * where `newer` stops and starts, the end of each owned span) and of each syscall with rules,
 * and each condition's tests on 32-bit halves (its operator's formula, ../ir/operators.ts).
 */
import { ownedSpans } from '../ir/semantics.js';
import { OPERATORS, type HalfFormula } from '../ir/operators.js';
import type { Condition, PolicyIR } from '../ir/types.js';
import type { Predicate } from './cells.js';
import { argWord, ARCH_WORD, NR_WORD } from './words.js';

const FULL = 0xffffffff;

/** The words a condition reads: its argument's low half, and the high half for width 64. */
export function conditionWords(c: Condition): number[] {
  return c.width === 64 ? [argWord(c.arg, 'low'), argWord(c.arg, 'high')] : [argWord(c.arg, 'low')];
}

/** The 32-bit comparisons on which one condition is constant: the tests of its operator's formula. */
export function conditionPredicates(c: Condition): Predicate[] {
  const out: Predicate[] = [];
  const leaves = (f: HalfFormula): void => {
    if (f.kind === 'test') out.push({ word: argWord(c.arg, f.half), mask: f.mask, op: f.op, k: f.k });
    else if (f.kind === 'not') leaves(f.f);
    else if (f.kind !== 'const') f.fs.forEach(leaves);
  };
  leaves(OPERATORS[c.op].halves(c));
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
