/**
 * Whether two rules can match the same system call: the conjunction of their conditions is
 * satisfiable. The OCI importer needs this because libseccomp orders overlapping rules with
 * different actions by its internal tree order, not by the profile's order: where two such rules
 * overlap, seccompile refuses rather than guess; where they cannot overlap, any order decides
 * the same. Exact for every IR operator at 32 and 64 bits (./arg-box.ts reads their constraints).
 */
import type { Condition } from '../ir/types.js';
import { argBox } from './arg-box.js';

/** True when some argument values satisfy every condition in `a` and in `b` at once. */
export function conditionsOverlap(a: readonly Condition[], b: readonly Condition[]): boolean {
  return satisfiable([...a, ...b]);
}

/** True when some argument values satisfy all `conditions` (ANDed). */
export function satisfiable(conditions: readonly Condition[]): boolean {
  for (let arg = 0; arg < 6; arg++) {
    const on = conditions.filter((c) => c.arg === arg);
    if (!argSatisfiable(on)) return false;
  }
  return true;
}

function argSatisfiable(conds: readonly Condition[]): boolean {
  if (conds.length === 0) return true;
  const w32 = conds.filter((c) => c.width === 32);
  const w64 = conds.filter((c) => c.width === 64);
  if (w32.length === 0) return valuesExist(w64, 64);
  if (w64.length === 0) return valuesExist(w32, 32);
  // Never produced by the importer (one width per arch); answer conservatively: a caller that
  // refuses overlapping rules then refuses rather than risks a wrong order.
  return true;
}

/** Exists x in [0, 2^width) satisfying all conds (same width). */
function valuesExist(conds: readonly Condition[], width: 32 | 64): boolean {
  const box = argBox(conds, width);
  if (!box) return false;
  const { lo, hi, mask, want, excluded } = box;
  let count = countMasked(hi, mask, want, width) - countMasked(lo - 1n, mask, want, width);
  for (const x of excluded) if (x >= lo && x <= hi && (x & mask) === want) count--;
  return count > 0n;
}

/** How many x in [0, n] have (x & mask) === want. */
function countMasked(n: bigint, mask: bigint, want: bigint, width: number): bigint {
  if (n < 0n) return 0n;
  let total = 0n;
  for (let i = width - 1; i >= 0; i--) {
    const bit = 1n << BigInt(i);
    const freeBelow = 1n << BigInt(popcount(~mask & (bit - 1n)));
    const nBit = n & bit;
    if (mask & bit) {
      const forced = want & bit;
      if (forced < nBit) return total + freeBelow;
      if (forced > nBit) return total;
    } else if (nBit) {
      total += freeBelow; // choose 0 here: every completion is below n
    }
  }
  return total + 1n; // x === n itself
}

function popcount(x: bigint): number {
  let n = 0;
  for (let v = x < 0n ? x & ((1n << 64n) - 1n) : x; v; v &= v - 1n) n++;
  return n;
}
