/**
 * System calls to compare filters on: every number of an arch from its base to its largest known
 * number + 16 (plus a few far-away numbers), and for numbers with conditional rules, argument
 * values at and around every constant the rules compare (and the profile wrote, before libseccomp's
 * 32-bit truncation), with high halves set to catch width mistakes. Deterministic.
 */
import { nrSweep, sectionSweep } from '../../src/ir/nr-spans.js';
import type { Condition, PolicyIR } from '../../src/ir/types.js';
import type { SeccompData } from '../../src/seccomp/data.js';
import { ARCHES, type ArchName } from '../../src/syscalls/index.js';

const U64 = (1n << 64n) - 1n;

/** Values around `v` that a comparison with `v` can tell apart. */
function around(v: bigint): bigint[] {
  return [v - 1n, v, v + 1n, v + (1n << 32n), v ^ (1n << 63n)].filter((x) => x >= 0n && x <= U64);
}

function candidates(conds: readonly Condition[], extra: readonly bigint[]): bigint[] {
  const out = new Set<bigint>([0n, 1n, 0xffffffffn, 1n << 32n, U64]);
  for (const c of conds) {
    for (const x of around(c.value)) out.add(x);
    if (c.mask !== undefined) {
      const low = c.mask & -c.mask;
      for (const x of [c.value | (~c.mask & U64), c.value ^ low, c.mask, c.value | (c.mask ^ low)]) out.add(x & U64);
    }
  }
  for (const v of extra) for (const x of around(v)) out.add(x);
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Inputs for `arch` given the IR (for which numbers have conditions) and extra constants (for
 * example every value and valueTwo the profile wrote). At most `perSyscall` argument vectors per
 * conditional syscall (all combinations when fewer, else a seeded sample that keeps every
 * single-argument boundary).
 */
export function comparisonInputs(ir: PolicyIR, arch: ArchName, extra: readonly bigint[] = [], perSyscall = 1500): SeccompData[] {
  const a = ARCHES[arch];
  const section = ir.sections.find((s) => s.arch === arch);
  const ranges = section ? sectionSweep([section]) : nrSweep(a.knownNrs, 16, a.nrBase);
  const out: SeccompData[] = [];
  const base = { arch: a.auditArch, instructionPointer: 0n };
  const byNr = new Map((section?.syscalls ?? []).map((s) => [s.nr, s]));
  const random = rng(0x5eed ^ a.auditArch);
  for (const nr of ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i))) {
    out.push({ ...base, nr, args: [] });
    const entry = byNr.get(nr);
    const conds = (entry?.rules ?? []).flatMap((r) => r.conditions);
    if (conds.length === 0) continue;
    const used = [...new Set(conds.map((c) => c.arg))].sort();
    const values = used.map((i) => candidates(conds.filter((c) => c.arg === i), extra));
    const total = values.reduce((n, v) => n * v.length, 1);
    if (total <= perSyscall) {
      for (let k = 0; k < total; k++) {
        let rest = k;
        const args = [0n, 0n, 0n, 0n, 0n, 0n];
        used.forEach((idx, j) => {
          args[idx] = values[j]![rest % values[j]!.length]!;
          rest = Math.floor(rest / values[j]!.length);
        });
        out.push({ ...base, nr, args });
      }
    } else {
      used.forEach((idx, j) => {
        for (const v of values[j]!) {
          const args = [0n, 0n, 0n, 0n, 0n, 0n];
          args[idx] = v;
          out.push({ ...base, nr, args });
        }
      });
      for (let k = 0; k < perSyscall; k++) {
        const args = [0n, 0n, 0n, 0n, 0n, 0n];
        used.forEach((idx, j) => (args[idx] = values[j]![Math.floor(random() * values[j]!.length)]!));
        out.push({ ...base, nr, args });
      }
    }
  }
  // Far away: numbers no table knows, negative ones (nr is an int), the x32 bit on its own. Not
  // 0x80000000..0xbfffffff: libseccomp and runc's stub route those to x86_64 (bit 30 clear), the IR
  // to the x32 section (>= its nrBase); no syscall has such a number (README, OCI semantics).
  // Nor -1 on an x86_64 filter without x32: libseccomp lets nr -1 (what a tracer that skips a
  // syscall leaves) reach the default action, the IR gives it badArch as any x32-bit number.
  const far = [0x3fffffff, 0x40000000 + 0x3ff, 0x7fffffff, 0xfffffffe];
  if (arch !== 'x86_64' || ir.sections.some((s) => s.arch === 'x32')) far.push(0xffffffff);
  for (const nr of far) out.push({ ...base, nr, args: [] });
  return out;
}
