/**
 * The fallback when a program is not compare-only (or its exact analysis would be too large):
 * concrete inputs drawn from the constants the programs compare with. Every compared arch value
 * and a foreign one; every nr from 0 to 616, every nr the tables of those arches know and 16
 * around them, and the compared nr constants +-1; per argument word, the compared constants, +-1
 * and with masked bits flipped, one word at a time over zero, plus a few seeded pseudo-random
 * vectors. A result from these inputs is a sample, and is reported as one.
 */
import { AUDIT_ARCH } from '../seccomp/abi.js';
import type { SeccompData } from '../seccomp/data.js';
import { nrSweep } from '../ir/nr-spans.js';
import { ARCHES, ARCH_NAMES } from '../syscalls/index.js';
import type { Predicate } from './cells.js';
import { ARCH_WORD, NR_WORD, WORD_COUNT } from './words.js';

export const FOREIGN_ARCH = AUDIT_ARCH.AUDIT_ARCH_MIPSEL64;
export const EDGE_NRS = [0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;

/** Values of a word worth trying for the predicates on it. */
function wordValues(preds: readonly Predicate[]): number[] {
  const out = new Set<number>([0, 1, 0xffffffff]);
  const add = (v: number): void => {
    if (v >= 0 && v <= 0xffffffff) out.add(v >>> 0);
  };
  for (const p of preds) {
    for (const d of [-1, 0, 1]) add(p.k + d);
    if (p.mask !== 0xffffffff) {
      add((p.k | ~p.mask) >>> 0);
      for (let bit = 0; bit < 32; bit++) if ((p.mask >>> bit) & 1) add((p.k ^ (1 << bit)) >>> 0);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** A small seeded PRNG (xorshift32), so sampled results are reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

/** Concrete inputs for the predicates of the programs compared (see the file header). */
export function sampleInputs(predicates: readonly Predicate[], randomPerNr = 2): SeccompData[] {
  const byWord: Predicate[][] = Array.from({ length: WORD_COUNT }, () => []);
  for (const p of predicates) byWord[p.word]!.push(p);
  const archValues = new Set<number>([FOREIGN_ARCH, 0]);
  for (const p of byWord[ARCH_WORD]!) if (p.op === 'jeq' && p.mask === 0xffffffff) archValues.add(p.k);
  const nrs = new Set<number>(EDGE_NRS);
  for (let nr = 0; nr <= 616; nr++) nrs.add(nr);
  for (const v of wordValues(byWord[NR_WORD]!)) nrs.add(v);
  // every number the compared arches' tables know and 16 around them (x32's carry the x32 bit;
  // not the million numbers between arm's regular and private calls)
  for (const name of ARCH_NAMES) {
    const a = ARCHES[name];
    if (!archValues.has(a.auditArch)) continue;
    for (const [from, to] of nrSweep(a.knownNrs, 16, a.nrBase)) for (let nr = from; nr <= to; nr++) nrs.add(nr);
  }

  // argument vectors as 12 words (ip skipped: filters rarely read it, but include its values too)
  const vectors: number[][] = [new Array<number>(WORD_COUNT - 2).fill(0)];
  for (let w = 2; w < WORD_COUNT; w++) {
    if (byWord[w]!.length === 0) continue;
    for (const v of wordValues(byWord[w]!)) {
      const vec = new Array<number>(WORD_COUNT - 2).fill(0);
      vec[w - 2] = v;
      vectors.push(vec);
    }
  }
  const rand = prng(0x5ecc0de);
  const out: SeccompData[] = [];
  const toData = (arch: number, nr: number, words: readonly number[]): SeccompData => ({
    arch,
    nr,
    instructionPointer: (BigInt(words[1]!) << 32n) | BigInt(words[0]!),
    args: Array.from({ length: 6 }, (_, i) => (BigInt(words[3 + 2 * i]!) << 32n) | BigInt(words[2 + 2 * i]!)),
  });
  for (const arch of [...archValues].sort((a, b) => a - b)) {
    for (const nr of [...nrs].sort((a, b) => a - b)) {
      for (const vec of vectors) out.push(toData(arch, nr, vec));
      for (let i = 0; i < randomPerNr; i++) {
        const vec = vectors[rand() % vectors.length]!.map((v) => (rand() % 4 === 0 ? rand() : v));
        out.push(toData(arch, nr, vec));
      }
    }
  }
  return out;
}
