/**
 * The rules of one syscall explored like a program (./explore.ts does it for filters): from a
 * region, each rule's conditions split it into where the rule matches (a leaf with its action) and
 * where it does not (passed on to the next rule); what no rule matches gets the fallback. A
 * 64-bit condition is a formula over its 32-bit halves (lexicographic for the ordered ones, as in
 * src/ir/semantics.ts); every predicate of it is constant on the cells of a partition built with
 * ./ir-predicates.ts, so each leaf is decided exactly. The leaves partition the start region, and
 * their number grows with the rules, not with the product of the constants they mention.
 */
import type { Condition, Rule } from '../ir/types.js';
import type { Action } from '../seccomp/abi.js';
import { predicateHolds, type Partition, type Predicate } from './cells.js';
import { cellIndices, type Region } from './explore.js';
import { argWord } from './words.js';

type Formula =
  | { readonly kind: 'pred'; readonly pred: Predicate }
  | { readonly kind: 'not'; readonly f: Formula }
  | { readonly kind: 'and' | 'or'; readonly fs: readonly Formula[] };

const FULL = 0xffffffff;
const lowOf = (v: bigint): number => Number(v & 0xffffffffn);
const highOf = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);
const pred = (word: number, op: Predicate['op'], k: number, mask = FULL): Formula => ({ kind: 'pred', pred: { word, mask, op, k } });
const not = (f: Formula): Formula => ({ kind: 'not', f });
const and = (...fs: Formula[]): Formula => ({ kind: 'and', fs });
const or = (...fs: Formula[]): Formula => ({ kind: 'or', fs });

/** A condition as a formula over 32-bit word predicates. */
export function conditionFormula(c: Condition): Formula {
  const lo = argWord(c.arg, 'low');
  const hi = argWord(c.arg, 'high');
  const wide = c.width === 64;
  const vl = lowOf(c.value);
  const vh = highOf(c.value);
  const mask = c.mask ?? 0xffffffffffffffffn;
  const eq = (): Formula => (wide ? and(pred(lo, 'jeq', vl), pred(hi, 'jeq', vh)) : pred(lo, 'jeq', vl));
  // x > v, x >= v: lexicographic over (high, low)
  const greater = (loOp: 'jgt' | 'jge'): Formula =>
    wide ? or(pred(hi, 'jgt', vh), and(pred(hi, 'jeq', vh), pred(lo, loOp, vl))) : pred(lo, loOp, vl);
  switch (c.op) {
    case 'eq':
      return eq();
    case 'ne':
      return not(eq());
    case 'masked_eq':
      return wide ? and(pred(lo, 'jeq', vl, lowOf(mask)), pred(hi, 'jeq', vh, highOf(mask))) : pred(lo, 'jeq', vl, lowOf(mask));
    case 'gt':
      return greater('jgt');
    case 'ge':
      return greater('jge');
    case 'lt':
      return not(greater('jge'));
    case 'le':
      return not(greater('jgt'));
  }
}

/** Splits a region on one predicate: [holds, fails], null for an empty side. */
function splitPred(partition: Partition, region: Region, p: Predicate): [Region | null, Region | null] {
  const cells = partition[p.word]!.cells;
  const set = region[p.word];
  const words = (cells.length + 31) >>> 5;
  const yes = new Uint32Array(words);
  const no = new Uint32Array(words);
  let nYes = 0;
  let nNo = 0;
  for (const i of cellIndices(set, cells.length)) {
    if (predicateHolds(p, cells[i]!.rep)) {
      yes[i >>> 5] |= 1 << (i & 31);
      nYes++;
    } else {
      no[i >>> 5] |= 1 << (i & 31);
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

/** Calls `onLeaf(region, action)` for each region of `start` the rules (first match wins) decide alike. */
export function exploreRules(
  partition: Partition,
  rules: readonly Rule[],
  fallback: Action,
  start: Region,
  onLeaf: (region: Region, action: Action) => void,
): void {
  let pending = [start];
  for (const rule of rules) {
    const next: Region[] = [];
    const formula = and(...rule.conditions.map(conditionFormula));
    for (const r of pending) {
      const s = splitFormula(partition, r, formula);
      for (const t of s.t) onLeaf(t, rule.action);
      next.push(...s.f);
    }
    pending = next;
    if (pending.length === 0) return;
  }
  for (const r of pending) onLeaf(r, fallback);
}
