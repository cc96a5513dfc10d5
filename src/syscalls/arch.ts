/**
 * Architecture descriptors: every per-arch fact in one place (ARCH_SPECS), so generic code never
 * branches on an arch name and adding an arch is one entry here plus regenerated tables:
 * AUDIT_ARCH value, byte order, word size, the x32 number bit, how Node and other tools name it,
 * its compat ABIs, its OCI/libseccomp names, the open(2) flags that differ, the libseccomp csv
 * column of its numbers. The syscall tables are generated into ./tables.ts (and the launcher's
 * few numbers into ./host-syscalls.ts) by scripts/gen-syscalls.ts. This module loads no table:
 * jail's start-up reads it.
 */
import { AUDIT_ARCH, X32_SYSCALL_BIT, type Endian } from '../seccomp/abi.js';

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

export function isArchName(name: string): name is ArchName {
  return (ARCH_NAMES as readonly string[]).includes(name);
}

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

/** open(2) flags whose values differ between arches. */
export interface ArchOFlags {
  readonly O_DIRECT: number;
  /**
   * The kernel's value. 64-bit libcs define O_LARGEFILE as 0 and never pass it (the kernel
   * adds it after seccomp has run); 32-bit libcs pass it for open64.
   */
  readonly O_LARGEFILE: number;
  readonly O_DIRECTORY: number;
  readonly O_NOFOLLOW: number;
  /** __O_TMPFILE (0o20000000) | O_DIRECTORY */
  readonly O_TMPFILE: number;
}

// include/uapi/asm-generic/fcntl.h
const GENERIC_O: ArchOFlags = { O_DIRECT: 0o40000, O_LARGEFILE: 0o100000, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_TMPFILE: 0o20200000 };
// arch/arm/include/uapi/asm/fcntl.h; arm64 repeats them for its AArch32 compat ABI.
const ARM_O: ArchOFlags = { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000, O_DIRECT: 0o200000, O_LARGEFILE: 0o400000, O_TMPFILE: 0o20040000 };
// arch/powerpc/include/uapi/asm/fcntl.h: like arm but O_LARGEFILE and O_DIRECT swapped.
const PPC_O: ArchOFlags = { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000, O_LARGEFILE: 0o200000, O_DIRECT: 0o400000, O_TMPFILE: 0o20040000 };

/** The facts about one arch that are written by hand; the tables add the syscall numbers. */
export interface ArchSpec {
  /** seccomp_data.arch (include/uapi/linux/audit.h). x32 shares AUDIT_ARCH_X86_64 with x86_64. */
  readonly auditArch: number;
  readonly endian: Endian;
  readonly wordSize: 32 | 64;
  /** Added to table numbers to get seccomp_data.nr: __X32_SYSCALL_BIT for x32. */
  readonly nrBase: number;
  /** See Arch.privateNrBase. */
  readonly privateNrBase?: number;
  /** See Arch.cloneFlagsArg (default 0). */
  readonly cloneFlagsArg?: 1;
  /** Node's `process.arch` on a host of this arch (with `endian`, which tells ppc64le from ppc64); none for an ABI that is never a host's native one. */
  readonly nodeArch?: string;
  /** The other ABIs a kernel for this arch runs (x86_64: x86 and x32). */
  readonly compat: readonly ArchName[];
  /** Other spellings accepted for it: Node's, Debian's, the kernel's. */
  readonly aliases: readonly string[];
  /** libseccomp's SCMP_ARCH_* name (OCI profiles' `architectures`). */
  readonly scmpArch: string;
  /** libseccomp-golang's ScmpArch.String(): what OCI `includes.arches` compares with. */
  readonly engineArch: string;
  /** The column of libseccomp's syscalls.csv holding its numbers (scripts/gen-syscalls.ts). */
  readonly csvColumn: string;
  readonly oFlags: ArchOFlags;
}

/** Every arch we target. */
export const ARCH_SPECS: Readonly<Record<ArchName, ArchSpec>> = {
  x86_64: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_X86_64,
    endian: 'little',
    wordSize: 64,
    nrBase: 0,
    nodeArch: 'x64',
    compat: ['x86', 'x32'],
    aliases: ['x64', 'amd64'],
    scmpArch: 'SCMP_ARCH_X86_64',
    engineArch: 'amd64',
    csvColumn: 'x86_64',
    oFlags: GENERIC_O,
  },
  x86: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_I386,
    endian: 'little',
    wordSize: 32,
    nrBase: 0,
    nodeArch: 'ia32',
    compat: [],
    aliases: ['ia32', 'i386', 'i686'],
    scmpArch: 'SCMP_ARCH_X86',
    engineArch: 'x86',
    csvColumn: 'x86',
    oFlags: GENERIC_O,
  },
  // x32 is an x86_64 process making syscalls with __X32_SYSCALL_BIT set (arch/x86/entry/syscall_x32.c).
  // Its own calls 512..547 (syscall_64.tbl) sit above the common numbers, which keep growing.
  x32: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_X86_64,
    endian: 'little',
    wordSize: 32,
    nrBase: X32_SYSCALL_BIT,
    privateNrBase: (X32_SYSCALL_BIT + 512) >>> 0,
    compat: [],
    aliases: [],
    scmpArch: 'SCMP_ARCH_X32',
    engineArch: 'x32',
    csvColumn: 'x32',
    oFlags: GENERIC_O,
  },
  aarch64: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_AARCH64,
    endian: 'little',
    wordSize: 64,
    nrBase: 0,
    nodeArch: 'arm64',
    compat: ['arm'],
    aliases: ['arm64'],
    scmpArch: 'SCMP_ARCH_AARCH64',
    engineArch: 'arm64',
    csvColumn: 'aarch64',
    oFlags: ARM_O,
  },
  // ARM EABI; __ARM_NR_BASE (arch/arm/include/uapi/asm/unistd.h) starts the ARM-private calls.
  arm: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_ARM,
    endian: 'little',
    wordSize: 32,
    nrBase: 0,
    privateNrBase: 0x0f0000,
    nodeArch: 'arm',
    compat: [],
    aliases: ['armhf', 'armel'],
    scmpArch: 'SCMP_ARCH_ARM',
    engineArch: 'arm',
    csvColumn: 'arm',
    oFlags: ARM_O,
  },
  riscv64: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_RISCV64,
    endian: 'little',
    wordSize: 64,
    nrBase: 0,
    nodeArch: 'riscv64',
    compat: [],
    aliases: ['riscv'],
    scmpArch: 'SCMP_ARCH_RISCV64',
    engineArch: 'riscv64',
    csvColumn: 'riscv64',
    oFlags: GENERIC_O,
  },
  // CONFIG_CLONE_BACKWARDS2: clone(newsp, flags, ...).
  s390x: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_S390X,
    endian: 'big',
    wordSize: 64,
    nrBase: 0,
    cloneFlagsArg: 1,
    nodeArch: 's390x',
    compat: [],
    aliases: [],
    scmpArch: 'SCMP_ARCH_S390X',
    engineArch: 's390x',
    csvColumn: 's390x',
    oFlags: GENERIC_O,
  },
  // libseccomp's csv has one ppc64 column for both byte orders; the numbers are the same.
  ppc64le: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_PPC64LE,
    endian: 'little',
    wordSize: 64,
    nrBase: 0,
    nodeArch: 'ppc64',
    compat: [],
    aliases: ['ppc64el'],
    scmpArch: 'SCMP_ARCH_PPC64LE',
    engineArch: 'ppc64le',
    csvColumn: 'ppc64',
    oFlags: PPC_O,
  },
  loongarch64: {
    auditArch: AUDIT_ARCH.AUDIT_ARCH_LOONGARCH64,
    endian: 'little',
    wordSize: 64,
    nrBase: 0,
    nodeArch: 'loong64',
    compat: [],
    aliases: ['loong64'],
    scmpArch: 'SCMP_ARCH_LOONGARCH64',
    engineArch: 'loong64',
    csvColumn: 'loongarch64',
    oFlags: GENERIC_O,
  },
};

/**
 * The arch of a host from Node's `process.arch` and its byte order, or undefined where seccompile
 * has no such arch (ppc64 big-endian, mips, ...).
 */
export function hostArchNameOf(platformArch: string, littleEndian: boolean): ArchName | undefined {
  const endian = littleEndian ? 'little' : 'big';
  return ARCH_NAMES.find((n) => ARCH_SPECS[n].nodeArch === platformArch && ARCH_SPECS[n].endian === endian);
}
