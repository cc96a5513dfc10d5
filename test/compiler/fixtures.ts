/**
 * Hand-built PolicyIR fixtures for the compiler tests (no DSL involved): argument conditions at
 * every 64-bit boundary, shadowed rules, several arches (x32, compat, big-endian s390x), and a
 * policy long enough to need trampolines. Also the "interesting values" of a policy's
 * conditions, from which the differential tests draw their arguments.
 */
import type { Action } from '../../src/seccomp/abi.js';
import type { ArchSection, CmpOp, Condition, PolicyIR, Rule, SyscallRules } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';
import { sectionSweep } from '../../src/ir/nr-spans.js';
import { ARCHES, type ArchName } from '../../src/syscalls/index.js';

export const ALLOW: Action = { kind: 'allow' };
export const KILL: Action = { kind: 'kill_process' };
export const errno = (n: number): Action => ({ kind: 'errno', errno: n });
export const trap = (n: number): Action => ({ kind: 'trap', data: n });

const U64 = (1n << 64n) - 1n;
const U32 = (1n << 32n) - 1n;

export function cond(arg: number, op: CmpOp, value: bigint | number, width: 32 | 64 = 64, mask?: bigint | number): Condition {
  return condition(arg, op, width, BigInt(value), mask === undefined ? undefined : BigInt(mask));
}

let ruleIndex = 0;
export function rule(action: Action, ...conditions: Condition[]): Rule {
  const index = ruleIndex++;
  return { conditions, action, origin: { index, path: `rules[${index}]` } };
}

export interface SectionSpec {
  readonly default?: Action;
  readonly newer?: Action;
  /** Syscall name (or raw nr, table numbering + nrBase added) -> rules in order. */
  readonly rules: Readonly<Record<string, readonly Rule[]>>;
}

export function section(arch: ArchName, spec: SectionSpec): ArchSection {
  const a = ARCHES[arch];
  const syscalls: SyscallRules[] = Object.entries(spec.rules).map(([name, rules]) => {
    const nr = /^\d+$/.test(name) ? a.nrBase + Number(name) : a.syscalls.get(name);
    if (nr === undefined) throw new Error(`fixture: ${name} unknown on ${arch}`);
    return { nr, name, rules };
  });
  syscalls.sort((x, y) => x.nr - y.nr);
  return {
    arch,
    auditArch: a.auditArch,
    nrBase: a.nrBase,
    knownNrs: a.knownNrs,
    syscalls,
    defaultAction: spec.default ?? errno(1),
    newer: spec.newer ?? errno(38),
    endian: a.endian,
  };
}

/**
 * The numbers the differential checks probe on sections of one arch: every number its tables
 * know and 16 around each known span's edges (src/ir/nr-spans.ts sectionSweep), ascending.
 */
export function sweepNrs(sections: readonly ArchSection[], margin = 16): number[] {
  const out: number[] = [];
  for (const [from, to] of sectionSweep(sections, margin)) for (let nr = from; nr <= to; nr++) out.push(nr);
  return out;
}

export function policyIR(badArch: Action, ...sections: ArchSection[]): PolicyIR {
  return {
    badArch,
    sections: [...sections].sort((x, y) => x.auditArch - y.auditArch || x.nrBase - y.nrBase),
  };
}

/** Conditions at every 64-bit edge, one syscall each, with distinct actions. */
function boundaryRules(): Record<string, Rule[]> {
  return {
    read: [rule(ALLOW)],
    write: [rule(ALLOW)],
    open: [rule(errno(2), cond(1, 'eq', 0))],
    close: [rule(errno(3), cond(0, 'eq', U32))],
    stat: [rule(errno(4), cond(0, 'eq', 1n << 32n))],
    fstat: [rule(errno(5), cond(0, 'eq', U64))],
    lstat: [rule(errno(6), cond(0, 'gt', U32))],
    poll: [rule(errno(7), cond(0, 'lt', 1n << 32n))],
    lseek: [rule(errno(8), cond(1, 'ge', 1n << 32n))],
    mmap: [rule(errno(9), cond(2, 'le', U32))],
    mprotect: [rule(errno(10), cond(2, 'masked_eq', 0x0000_0012_3400_0000n, 64, 0x0000_00ff_ff00_0000n))],
    munmap: [rule(errno(11), cond(1, 'masked_eq', 0x8000_0000_0000_0001n, 64, 0x8000_0000_0000_0001n))],
    brk: [rule(errno(12), cond(0, 'masked_eq', 0n, 64, 0xffff_0000_0000_ffffn))],
    rt_sigaction: [rule(errno(13), cond(0, 'masked_eq', 5n, 64, 3n))], // never matches: 5 & ~3 != 0
    rt_sigprocmask: [rule(errno(14), cond(0, 'eq', U32, 32))],
    ioctl: [rule(errno(15), cond(1, 'lt', 5, 32)), rule(errno(16), cond(1, 'masked_eq', 0x5400, 32, 0xff00))],
    pread64: [rule(errno(17), cond(3, 'ne', 7)), rule(errno(18))],
    pwrite64: [rule(errno(19), cond(3, 'gt', 0)), rule(errno(20), cond(3, 'ge', 0))],
    readv: [rule(errno(21), cond(0, 'lt', 0)), rule(errno(22), cond(0, 'le', U64))],
    writev: [rule(errno(23), cond(0, 'gt', U64)), rule(errno(24), cond(0, 'ge', U64))],
    access: [rule(errno(25), cond(0, 'gt', 0x1_0000_0000n)), rule(errno(26), cond(0, 'lt', 0xffff_ffff_0000_0000n))],
    pipe: [rule(errno(27), cond(0, 'ge', 0x2_ffff_ffffn, 64)), rule(errno(28), cond(0, 'le', 0x1_0000_0000n))],
    select: [rule(errno(29), cond(0, 'eq', 3), cond(1, 'eq', 4), cond(5, 'gt', 0xffff_ffffn))],
    sched_yield: [rule(errno(30), cond(4, 'gt', 0xfffffffe, 32), cond(4, 'lt', 0xffff_ffffn, 32))],
    mremap: [rule(errno(31), cond(0, 'masked_eq', 0, 32, 0xffffffff)), rule(errno(32), cond(0, 'masked_eq', 0x80000000, 32, 0x80000000))],
    msync: [rule(errno(33), cond(0, 'masked_eq', 0, 64, 0)), rule(ALLOW)], // mask 0: always
  };
}

/** Every 64-bit edge on x86_64, x32 beside it. */
export const boundaries = (): PolicyIR =>
  policyIR(KILL, section('x86_64', { rules: boundaryRules() }), section('x32', { default: errno(99), rules: { read: [rule(ALLOW)] } }));

/** The same conditions on big-endian s390x (halves swapped in seccomp_data). */
export const bigEndian = (): PolicyIR => {
  const rules = boundaryRules();
  const s390 = ARCHES.s390x;
  const kept = Object.fromEntries(Object.entries(rules).filter(([n]) => s390.syscalls.has(n)));
  return policyIR(errno(77), section('s390x', { default: ALLOW, rules: kept }));
};

/** Rules that can never match (shadowed) mixed with live ones. */
export const shadowed = (): PolicyIR =>
  policyIR(
    KILL,
    section('aarch64', {
      default: ALLOW,
      rules: {
        read: [rule(errno(1)), rule(errno(2), cond(0, 'eq', 1))],
        write: [rule(errno(3), cond(0, 'eq', 1)), rule(errno(4), cond(0, 'eq', 1)), rule(errno(5), cond(0, 'ge', 1))],
        close: [rule(ALLOW, cond(0, 'lt', 10)), rule(ALLOW, cond(0, 'ge', 10))],
        openat: [rule(errno(6), cond(1, 'eq', 5), cond(1, 'eq', 6)), rule(errno(7), cond(1, 'eq', 5))],
        socket: [rule(ALLOW, cond(0, 'eq', 1)), rule(errno(97))],
        connect: [rule(ALLOW, cond(0, 'eq', 1)), rule(errno(97))],
      },
    }),
    section('arm', { default: errno(1), rules: { read: [rule(ALLOW)], socket: [rule(ALLOW, cond(0, 'eq', 1, 32))] } }),
  );

/** x86_64 + x86 + x32, each with its own decisions; the x32 numbers must never reach x86_64. */
export const multiArch = (): PolicyIR =>
  policyIR(
    trap(1),
    section('x86_64', { default: errno(1), newer: errno(38), rules: { read: [rule(ALLOW)], getpid: [rule(errno(50))] } }),
    section('x86', { default: errno(2), newer: KILL, rules: { read: [rule(ALLOW)], socketcall: [rule(ALLOW, cond(0, 'eq', 1))] } }),
    section('x32', { default: errno(3), newer: errno(39), rules: { write: [rule(ALLOW)], getpid: [rule(errno(51))] } }),
  );

/** Only x86_64: x32 numbers get badArch. */
export const x86_64Only = (): PolicyIR =>
  policyIR(errno(111), section('x86_64', { default: ALLOW, rules: { ptrace: [rule(KILL)], 0: [rule(errno(1), cond(0, 'eq', 99))] } }));

/**
 * Many argument-dependent syscalls with distinct constants and actions: a program well over 255
 * instructions, so jumps from the search to shared returns need trampolines or copies.
 */
export const longJumps = (count = 150, arch: ArchName = 'riscv64'): PolicyIR => {
  const rules: Record<string, Rule[]> = {};
  for (let nr = 0; nr < count; nr++) {
    rules[String(nr)] = [rule(errno(1 + (nr % 7)), cond(nr % 6, 'eq', 1000 + nr)), rule(ALLOW, cond(0, 'gt', 0xffff_0000_0000n + BigInt(nr)))];
  }
  return policyIR(KILL, section(arch, { default: errno(1000), rules }));
};

/**
 * Runs of alternatives that share other conditions (what `in([...])` next to other conditions is
 * written as): before, after and around the differing equality, 64- and 32-bit, with repeated
 * values, a run broken by a different shared condition, and rules after the run.
 */
export const sharedConditions = (): PolicyIR => {
  const HI = 1n << 32n;
  return policyIR(
    KILL,
    section('x86_64', {
      default: errno(90),
      rules: {
        kill: [...[9n, 15n, 2n, 9n].map((v, i) => rule(errno(1 + i), cond(0, 'eq', 1, 32), cond(1, 'eq', v, 32))), rule(errno(6), cond(1, 'eq', 15, 32))],
        read: [
          ...[0n, HI + 5n, 5n].map((v, i) => rule(errno(10 + i), cond(0, 'gt', 2), cond(2, 'eq', v), cond(1, 'ne', 0))),
          ...[0n, 7n].map((v, i) => rule(errno(20 + i), cond(0, 'gt', 3), cond(2, 'eq', v), cond(1, 'ne', 0))),
          rule(ALLOW, cond(2, 'lt', 100)),
        ],
        ioctl: [...[0x5401n, 0x5413n, 0x541bn].map((v, i) => rule(errno(30 + i), cond(1, 'eq', v, 32), cond(0, 'masked_eq', 0, 64, 0xff00n)))],
      },
    }),
  );
};

/** A policy whose filter is longer than BPF_MAXINSNS. */
export const tooLong = (): PolicyIR => {
  const rules: Record<string, Rule[]> = {};
  for (let nr = 0; nr < 440; nr++) {
    rules[String(nr)] = Array.from({ length: 4 }, (_, i) => rule(errno(1 + ((nr + i) % 50)), cond(i, 'eq', 7 * nr + i)));
  }
  return policyIR(KILL, section('x86_64', { rules }));
};

export const FIXTURES: Readonly<Record<string, () => PolicyIR>> = {
  boundaries,
  bigEndian,
  shadowed,
  multiArch,
  x86_64Only,
  longJumps: () => longJumps(),
  sharedConditions,
};

// The compiler's tests probe the same argument values `verify` does.
export { argVectors, interestingValues } from '../../src/analysis/cases.js';
