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
   * First nr of an arch-private range above the regular syscalls, where there is one (arm:
   * __ARM_NR_BASE = 0x0f0000: breakpoint, cacheflush, usr26, usr32, set_tls, get_tls). Numbers
   * between the last regular syscall and this base are where newer kernels add syscalls.
   */
  readonly privateNrBase?: number;
  readonly multiplexers: readonly Multiplexer[];
  /**
   * Which argument of clone(2) holds the flags: 0, except 1 on s390x, whose clone is
   * clone(newsp, flags, ...) (CONFIG_CLONE_BACKWARDS2, kernel/fork.c).
   */
  readonly cloneFlagsArg: 0 | 1;
}
