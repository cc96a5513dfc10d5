/**
 * The smallest u32 in [lo, hi] with a fixed bit pattern that avoids every excluded masked value,
 * found exactly even where the values left are few and far apart (cells.ts's skipping search
 * hands over to this one when it would walk too long).
 *
 * Exclusions such as `x & 1 != 0`, `x & 3 != 3`, `x & 7 != 5`, ... (what an OCI export of
 * "low 32 bits != 1" looks like) leave a single value, and none at all above it: a search that
 * steps through candidates cannot tell "far away" from "nowhere". Here the value is read as a
 * word of 32 bits, least significant first, by an automaton whose state is what the bits so far
 * decide: for each exclusion, which of its values the bits still agree with (none left: it can
 * no longer hit; all its mask bits read and some left: it hits, the state dies), and how the
 * bits so far compare with those of lo and hi. The states reachable at each bit are computed
 * forwards; the smallest accepted word is then chosen backwards, most significant bit first,
 * taking 0 wherever an accepted completion exists.
 */
import type { Exclusion } from './cells.js';

/** A comparison of the bits read so far with the same bits of a bound. */
const LESS = 0;
const EQUAL = 1;
const GREATER = 2;

interface State {
  readonly key: string;
  readonly vsLo: number;
  readonly vsHi: number;
  /** Per exclusion, the indices of its values the bits so far agree with (empty: satisfied). */
  readonly alive: readonly (readonly number[])[];
}

/** Too many distinct states at one bit: the caller treats the cell as too intricate. */
export class SearchTooLarge extends Error {
  override readonly name = 'SearchTooLarge';
}

const MAX_STATES = 4096;

/**
 * The smallest v in [lo, hi] with (v & mask) == bits and (v & e.mask) outside e.values for every
 * exclusion, or undefined when there is none. Throws SearchTooLarge beyond MAX_STATES states at a bit.
 */
export function smallestMember(lo: number, hi: number, mask: number, bits: number, exclusions: readonly Exclusion[]): number | undefined {
  const top = exclusions.map((e) => 31 - Math.clz32(e.mask));
  const start = state(EQUAL, EQUAL, exclusions.map((e) => e.values.map((_, i) => i)));
  // levels[i]: the states after reading bits 0..i-1; edges[i]: (state before bit i, bit, state after)
  const levels: Map<string, State>[] = [new Map([[start.key, start]])];
  const edges: { from: string; bit: number; to: string }[][] = [];
  for (let i = 0; i < 32; i++) {
    const next = new Map<string, State>();
    const step: { from: string; bit: number; to: string }[] = [];
    for (const s of levels[i]!.values()) {
      for (const bit of [0, 1]) {
        if ((mask >>> i) & 1 && ((bits >>> i) & 1) !== bit) continue;
        const t = advance(s, i, bit, lo, hi, exclusions, top);
        if (!t) continue;
        if (!next.has(t.key)) next.set(t.key, t);
        step.push({ from: s.key, bit, to: t.key });
      }
    }
    if (next.size > MAX_STATES) throw new SearchTooLarge(`more than ${MAX_STATES} states at bit ${i}`);
    levels.push(next);
    edges.push(step);
  }
  // accepted: lo <= v <= hi (no exclusion can still hit: each died or emptied by its top bit)
  let wanted = new Set([...levels[32]!.values()].filter((s) => s.vsLo !== LESS && s.vsHi !== GREATER).map((s) => s.key));
  if (wanted.size === 0) return undefined;
  let v = 0;
  for (let i = 31; i >= 0; i--) {
    const into = edges[i]!.filter((e) => wanted.has(e.to));
    const bit = into.some((e) => e.bit === 0) ? 0 : 1;
    if (bit) v += 2 ** i;
    wanted = new Set(into.filter((e) => e.bit === bit).map((e) => e.from));
  }
  return v;
}

function state(vsLo: number, vsHi: number, alive: readonly (readonly number[])[]): State {
  return { key: `${vsLo}${vsHi}|${alive.map((a) => a.join(',')).join('|')}`, vsLo, vsHi, alive };
}

/** The state after reading `bit` at position i, or undefined when an exclusion is hit. */
function advance(s: State, i: number, bit: number, lo: number, hi: number, exclusions: readonly Exclusion[], top: readonly number[]): State | undefined {
  const cmp = (was: number, bound: number): number => {
    const b = (bound >>> i) & 1;
    return bit === b ? was : bit > b ? GREATER : LESS;
  };
  const alive: (readonly number[])[] = [];
  for (let x = 0; x < exclusions.length; x++) {
    const e = exclusions[x]!;
    let left = s.alive[x]!;
    if ((e.mask >>> i) & 1) left = left.filter((j) => ((e.values[j]! >>> i) & 1) === bit);
    if (left.length && i >= top[x]!) return undefined; // every bit of its mask read: v & mask is that value
    alive.push(left);
  }
  return state(cmp(s.vsLo, lo), cmp(s.vsHi, hi), alive);
}
