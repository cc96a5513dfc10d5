/**
 * The Linux ABI constants the launcher passes to system calls, under their kernel names so
 * they can be grepped against the headers: include/uapi/linux/sched.h (CLONE_*),
 * include/uapi/linux/mount.h (MS_*), include/uapi/linux/prctl.h (PR_*),
 * include/uapi/asm-generic/resource.h (RLIMIT_*), include/uapi/linux/sockios.h and if.h.
 * Values are those of the generic ABI (x86_64, aarch64, riscv64, loongarch64, s390x, ppc64);
 * MIPS, SPARC and Alpha number some RLIMIT_* differently and are not supported by `jail`.
 * The socket(2) and clone(2) constants come from src/syscalls/socket-clone-constants.ts, which
 * policies get them from too (through src/syscalls/constants.ts, a module the init stage, which
 * runs before every command, does not load: test/cli/jail-bundle.test.ts lists what it may contain).
 */
import { endianness } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { ARCH_SPECS, hostArchNameOf } from '../syscalls/arch.js';
import { HOST_SYSCALL_NUMBERS, type HostSyscall } from '../syscalls/host-syscalls.js';

export {
  AF_INET,
  AF_NETLINK,
  CLONE_FS,
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
} from '../syscalls/socket-clone-constants.js';

export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
// Root filesystems and bind mounts (src/launcher/filesystem/rootfs.ts).
export const MS_RDONLY = 0x1;
export const MS_REMOUNT = 0x20;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;
/** umount2(2) flag (include/linux/fs.h). */
export const MNT_DETACH = 0x2;

export const PR_SET_PDEATHSIG = 1;
export const PR_SET_DUMPABLE = 4;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_SET_NO_NEW_PRIVS = 38;

/** mount_setattr(2) (include/uapi/linux/mount.h, fcntl.h): struct mount_attr is four u64. */
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR_SIZE_VER0 = 32;
export const AT_FDCWD = -100;
export const AT_RECURSIVE = 0x8000;

export const F_GETFD = 1;
export const F_SETFD = 2;
export const FD_CLOEXEC = 1;

/** include/uapi/linux/netlink.h, asm-generic/socket.h */
export const NETLINK_AUDIT = 9;
export const SOL_SOCKET = 1;
export const SO_RCVBUFFORCE = 33;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const IFF_UP = 0x1;
/** IFNAMSIZ + the union: sizeof(struct ifreq) on 64-bit. */
export const IFREQ_SIZE = 40;

export const MSG_PEEK = 0x2;
export const MSG_DONTWAIT = 0x40;

export const CLOSE_RANGE_CLOEXEC = 1 << 2;

/** RLIMIT_* by the name `--rlimit` takes (lower case, without the prefix). */
export const RLIMITS = {
  cpu: 0,
  fsize: 1,
  data: 2,
  stack: 3,
  core: 4,
  rss: 5,
  nproc: 6,
  nofile: 7,
  memlock: 8,
  as: 9,
  locks: 10,
  sigpending: 11,
  msgqueue: 12,
  nice: 13,
  rtprio: 14,
  rttime: 15,
} as const;
export type RlimitName = keyof typeof RLIMITS;
/** RLIM_INFINITY as the kernel's u64. */
export const RLIM_INFINITY = 0xffffffffffffffffn;

/**
 * The host's arch under seccompile's arch names, from the Arch descriptors (src/syscalls/arch.ts,
 * which loads no syscall table); Node's name for an arch seccompile does not target.
 */
export function hostArchName(platformArch: string = process.arch, littleEndian = endianness() === 'LE'): string {
  return hostArchNameOf(platformArch, littleEndian) ?? platformArch;
}

/**
 * The number of `name` on the running architecture (generated from the syscall tables into
 * src/syscalls/host-syscalls.ts), or undefined where jail does not run: jail supports 64-bit
 * hosts only (the structs it passes, such as struct ifreq, have their 64-bit layout here).
 */
export function syscallNumber(name: HostSyscall, platformArch: string = process.arch, littleEndian = endianness() === 'LE'): number | undefined {
  const arch = hostArchNameOf(platformArch, littleEndian);
  return arch && ARCH_SPECS[arch].wordSize === 64 ? HOST_SYSCALL_NUMBERS[arch]?.[name] : undefined;
}

/** `ENOENT` for 2, etc. */
export function errnoName(errno: number): string {
  return getSystemErrorMap().get(-errno)?.[0] ?? `errno ${errno}`;
}

/** "no such file or directory" for 2, etc. */
export function errnoMessage(errno: number): string {
  return getSystemErrorMap().get(-errno)?.[1] ?? `errno ${errno}`;
}
