/**
 * Hand-picked kernel constants policy authors compare arguments with, under their uapi names.
 * Every value here is the same on all our target arches (the arches where they differ, mips,
 * sparc, alpha and parisc, are not targets); the few open(2) flags that differ between x86/
 * generic and arm/aarch64/powerpc are in ARCH_O_FLAGS instead of having one value.
 * Sources (AF_*, SOCK_* and CLONE_*: ./socket-clone-constants.ts): include/uapi/asm-generic/
 * mman-common.h (PROT_*), include/uapi/asm-generic/fcntl.h (O_*), and arch/{arm,arm64,powerpc}/
 * include/uapi/asm/fcntl.h for the differences; include/uapi/asm-generic/ioctls.h (TIOC*, the
 * same in arch/powerpc/include/uapi/asm/ioctls.h), include/uapi/linux/personality.h (PER_*).
 */
import { ARCH_NAMES, ARCH_SPECS, type ArchName, type ArchOFlags } from './arch.js';

// Address families, socket types and clone flags: ./socket-clone-constants.ts, which the launcher imports too.
export * from './socket-clone-constants.js';

// Terminal ioctls (ioctl(2) arg 1, an `unsigned int`: compare its low 32 bits).
/** Pushes a byte into the terminal's input queue, as if typed. */
export const TIOCSTI = 0x5412;
/** Virtual-console subcommands, among them pasting the selection as input. */
export const TIOCLINUX = 0x541c;

// personality(2) personas (arg 0, an `unsigned int`).
export const PER_LINUX = 0x0000;
export const PER_LINUX32 = 0x0008;
/** A flag: uname() reports 2.6.x. */
export const UNAME26 = 0x0020000;

// mmap/mprotect protections. (arm64's PROT_BTI/PROT_MTE are arch-specific and left out.)
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

// open(2)/openat(2) flags that are the same on every target (octal, as in the headers).
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_NDELAY = O_NONBLOCK;
export const O_DSYNC = 0o10000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
/** __O_SYNC | O_DSYNC */
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;

export type { ArchOFlags } from './arch.js';

/** open(2) flags whose values differ between arches: each Arch descriptor's `oFlags` (./arch.ts). */
export const ARCH_O_FLAGS: Readonly<Record<ArchName, ArchOFlags>> = Object.freeze(
  Object.fromEntries(ARCH_NAMES.map((n) => [n, ARCH_SPECS[n].oFlags])) as Record<ArchName, ArchOFlags>,
);
