/**
 * The concrete inputs `verify` runs through the compiled filter (the sweep the issue asks for):
 * on every target arch every nr the tables know, 16 numbers around the edges of the section's
 * known spans (where `newer` starts and stops: arm's and x32's private calls sit far above their
 * regular ones) and the nr edges (x32 bit, sign bit, -1); for each syscall with rules, argument
 * vectors made of each condition's constant, +-1 in each 32-bit half, the u32/u64 edges and the
 * masked bits flipped, over a base that satisfies the other conditions of the rule; and a foreign
 * arch on every nr.
 */
import type { Condition, PolicyIR, Rule } from '../ir/types.js';
import type { SeccompData } from '../seccomp/data.js';
import { sectionSweep } from '../ir/nr-spans.js';
import { conditionConstants, OPERATORS } from '../ir/operators.js';
import { EDGE_NRS, FOREIGN_ARCH } from './sample.js';

const U32 = 0xffffffffn;
const U64 = 0xffffffffffffffffn;

/** Values around a condition's constant, over both halves (at, +-1, each half +-1, edges). */
export function interestingValues(c: Condition): bigint[] {
  const out = new Set<bigint>([0n, 1n, U32, U32 + 1n, U32 - 1n, U64, U64 - 1n, 1n << 63n]);
  for (const v of conditionConstants(c)) {
    for (const d of [-1n, 0n, 1n]) {
      out.add(v + d);
      out.add(v + (d << 32n)); // high half +-1, low half kept
      out.add(v ^ (d === 0n ? 0n : 1n << 31n));
    }
  }
  if (OPERATORS[c.op].masked) {
    const v = c.value;
    const m = c.mask;
    out.add(v | (~m & U64)); // don't-care bits set
    out.add(v | (~m & U32));
    out.add(v | (~m & (U32 << 32n)));
    for (let bit = 0n; bit < 64n; bit++) if ((m >> bit) & 1n) out.add(v ^ (1n << bit)); // each cared bit flipped
  }
  // For a width-32 condition, the high half must not matter: add it on top.
  if (c.width === 32) for (const x of [...out]) out.add((x & U32) | (0xdead_beefn << 32n));
  return [...out].filter((x) => x >= 0n && x <= U64).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Argument vectors for one syscall's rules. */
export function argVectors(rules: readonly Rule[]): bigint[][] {
  const out: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  for (const r of rules) {
    const base = [0n, 0n, 0n, 0n, 0n, 0n];
    for (const c of r.conditions) base[c.arg] = OPERATORS[c.op].example(c);
    out.push([...base]);
    for (const c of r.conditions) {
      for (const x of interestingValues(c)) {
        const v = [...base];
        v[c.arg] = x;
        out.push(v);
      }
    }
  }
  return out;
}

const ZERO = [0n, 0n, 0n, 0n, 0n, 0n];
const ARGS_HIGH = [U64, 1n, 2n, 3n, 4n, 5n];

/** The sweep's inputs (see the file header). */
export function policyCases(ir: PolicyIR): SeccompData[] {
  const out: SeccompData[] = [];
  const push = (arch: number, nr: number, args: readonly bigint[]): void => {
    out.push({ arch, nr, args, instructionPointer: 0n });
  };
  let longest = 0;
  for (const s of ir.sections) {
    const byNr = new Map(s.syscalls.map((e) => [e.nr, e]));
    // every number the arch's tables know, even when the section's known spans differ (an
    // imported profile's cut-off is its own largest syscall), and 16 around each span's edges
    const ranges = sectionSweep([s]);
    longest = Math.max(longest, ranges[0]![1] - s.nrBase);
    for (const [from, to] of ranges) {
      for (let nr = from; nr <= to; nr++) {
        const entry = byNr.get(nr);
        for (const args of entry ? argVectors(entry.rules) : [ZERO, ARGS_HIGH]) push(s.auditArch, nr, args);
      }
    }
    for (const nr of EDGE_NRS) push(s.auditArch, nr, ZERO);
  }
  if (!ir.sections.some((s) => s.auditArch === FOREIGN_ARCH)) {
    for (let nr = 0; nr <= longest + 16; nr++) push(FOREIGN_ARCH, nr, ZERO);
    for (const nr of EDGE_NRS) push(FOREIGN_ARCH, nr, ZERO);
  }
  return out;
}
