/**
 * The constants of socket(2) (address families, socket types) and clone(2)/unshare(2) (flags)
 * under their uapi names: policies compare arguments with them (./constants.ts exports them with
 * the others) and the launcher passes them to the kernel (src/launcher/linux.ts). They are a
 * module of their own so that jail's init stage, which runs before every command, has them
 * without parsing ./constants.ts (test/cli/jail-bundle.test.ts lists what it may contain).
 * Every value is the same on all our target arches.
 * Sources: include/linux/socket.h (AF_*), include/linux/net.h and asm-generic/socket.h (SOCK_*),
 * include/uapi/linux/sched.h (CLONE_*).
 */
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
