/**
 * Architecture descriptors: everything arch-specific the compiler, evaluator and launcher need
 * (AUDIT_ARCH value, byte order, word size, the x32 number bit, socketcall/ipc multiplexers),
 * so generic code never branches on an arch name. The syscall tables themselves are generated
 * into ./tables.ts by scripts/gen-syscalls.ts.
 */
import type { Endian } from '../seccomp/abi.js';

export const ARCH_NAMES = [
  'x86_64',
  'x86',
  'x32',
  'aarch64',
  'arm',
  'riscv64',
  's390x',
  'ppc64le',
  'loongarch64',
] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/**
 * A multiplexed syscall (`socketcall`, `ipc`): the sub-call number is in args[0] (for `ipc`
 * only its low 16 bits; the high 16 carry a version), the real arguments are elsewhere, so
 * argument conditions of the demultiplexed call cannot be checked through it.
 */
export interface Multiplexer {
  /** Name of the multiplexing syscall, e.g. 'socketcall'. */
  readonly syscall: string;
  /** Its number on this arch (without nrBase... i.e. the raw seccomp_data.nr value). */
  readonly nr: number;
  /** Mask applied to args[0] before comparing with a sub-call number (0xffff for ipc). */
  readonly callMask: number;
  /** Demultiplexed syscall name -> sub-call number (socket -> SYS_SOCKET = 1). */
  readonly calls: Readonly<Record<string, number>>;
}

/** Raw seccomp_data.nr values [start, end), end <= 2^32. */
export interface NrSpan {
  readonly start: number;
  readonly end: number;
}

export interface Arch {
  readonly name: ArchName;
  /** seccomp_data.arch for this ABI. x32 shares AUDIT_ARCH_X86_64 with x86_64. */
  readonly auditArch: number;
  /** Byte order of seccomp_data (and of the filter's `struct sock_filter` words) on this arch. */
  readonly endian: Endian;
  readonly wordSize: 32 | 64;
  /** Added to table numbers to get seccomp_data.nr: 0x40000000 (__X32_SYSCALL_BIT) for x32. */
  readonly nrBase: number;
  /** Syscall name -> raw seccomp_data.nr value (nrBase included). */
  readonly syscalls: ReadonlyMap<string, number>;
  /** Raw nr -> syscall name. */
  readonly names: ReadonlyMap<number, string>;
  /** Largest raw nr in the table (arm: an ARM-private call near 0x0f0000, see privateNrBase). */
  readonly maxNr: number;
  /**
   * First raw nr of an arch-private range above the regular syscalls, where there is one. Numbers
   * between the last regular syscall and this base are where newer kernels add syscalls.
   *  - arm: __ARM_NR_BASE = 0x0f0000 (arch/arm/include/uapi/asm/unistd.h): breakpoint,
   *    cacheflush, usr26, usr32, set_tls, get_tls at 0x0f0001..0x0f0006;
   *  - x32: 0x40000000 + 512, the x32-specific calls 512..547 (arch/x86/entry/syscalls/
   *    syscall_64.tbl: "Do not add new syscalls to this range"); new calls get common numbers.
   */
  readonly privateNrBase?: number;
  /**
   * The raw nr spans the tables know, sorted and disjoint: the regular syscalls [nrBase, last
   * regular + 1) and, where there is one, the private range [privateNrBase, maxNr + 1). Every
   * table number lies in one; numbers outside them (but of this ABI) are newer than the tables.
   */
  readonly knownNrs: readonly NrSpan[];
  readonly multiplexers: readonly Multiplexer[];
  /**
   * Which argument of clone(2) holds the flags: 0, except 1 on s390x, whose clone is
   * clone(newsp, flags, ...) (CONFIG_CLONE_BACKWARDS2, kernel/fork.c).
   */
  readonly cloneFlagsArg: 0 | 1;
}
