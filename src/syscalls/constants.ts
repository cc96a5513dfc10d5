/**
 * Hand-picked kernel constants policy authors compare arguments with, under their uapi names.
 * Every value here is the same on all our target arches (the arches where they differ, mips,
 * sparc, alpha and parisc, are not targets); the few open(2) flags that differ between x86/
 * generic and arm/aarch64/powerpc are in ARCH_O_FLAGS instead of having one value.
 * Sources: include/linux/socket.h (AF_*), include/linux/net.h and linux/net.h's SOCK_* (via
 * asm-generic/socket.h), include/uapi/linux/sched.h (CLONE_*), include/uapi/asm-generic/
 * mman-common.h (PROT_*), include/uapi/asm-generic/fcntl.h (O_*), and arch/{arm,arm64,powerpc}/
 * include/uapi/asm/fcntl.h for the differences; include/uapi/asm-generic/ioctls.h (TIOC*, the
 * same in arch/powerpc/include/uapi/asm/ioctls.h), include/uapi/linux/personality.h (PER_*).
 */
import { ARCH_NAMES, ARCH_SPECS, type ArchName, type ArchOFlags } from './arch.js';

// Address families (socket(2) arg 0).
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_LOCAL = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const AF_BLUETOOTH = 31;
export const AF_ALG = 38;
export const AF_VSOCK = 40;
export const AF_XDP = 44;

// Socket types (socket(2) arg 1: a type in the low 4 bits, or-ed with SOCK_NONBLOCK/SOCK_CLOEXEC).
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;
export const SOCK_DCCP = 6;
export const SOCK_PACKET = 10;
/** Mask of the type bits in socket(2)'s type argument (include/linux/net.h SOCK_TYPE_MASK). */
export const SOCK_TYPE_MASK = 0xf;
/** = O_NONBLOCK */
export const SOCK_NONBLOCK = 0o4000;
/** = O_CLOEXEC */
export const SOCK_CLOEXEC = 0o2000000;

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

// clone(2) flags. The flags are clone's arg 0 on every target but s390x, where they are arg 1
// (CONFIG_CLONE_BACKWARDS2): see Arch.cloneFlagsArg. clone3 passes them in memory, out of
// seccomp's reach; its 64-bit-only flags (CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP) are left out.
export const CLONE_NEWTIME = 0x00000080;
export const CLONE_VM = 0x00000100;
export const CLONE_FS = 0x00000200;
export const CLONE_FILES = 0x00000400;
export const CLONE_SIGHAND = 0x00000800;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_PTRACE = 0x00002000;
export const CLONE_VFORK = 0x00004000;
export const CLONE_PARENT = 0x00008000;
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_SYSVSEM = 0x00040000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_DETACHED = 0x00400000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
/** Every CLONE_NEW* namespace flag: deny these to keep a process from making namespaces. */
export const CLONE_NEW_NAMESPACES =
  (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET) >>> 0;

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
