/**
 * Names of common values of the arguments learn mode records, for the comment next to each
 * rule (the rule itself keeps the number: names of ioctls differ between arches). ioctl
 * numbers are the asm-generic ones (x86, arm, riscv, s390x, loongarch), shown only there.
 */
import type { ArchName } from '../syscalls/index.js';
import * as SOCKET_CLONE from '../syscalls/socket-clone-constants.js';

/** The socket/clone constants whose uapi names start with `prefix` (but those in `skip`: aliases, masks), by value. */
function namesOf(prefix: string, skip: readonly string[]): [number, string][] {
  return Object.entries(SOCKET_CLONE)
    .filter(([name]) => name.startsWith(prefix) && !skip.includes(name))
    .map(([name, value]): [number, string] => [value, name])
    .sort((a, b) => a[0] - b[0]);
}

const ADDRESS_FAMILIES: Readonly<Record<number, string>> = Object.fromEntries(namesOf('AF_', ['AF_LOCAL']));

const GENERIC_IOCTLS: Readonly<Record<number, string>> = {
  0x5401: 'TCGETS', 0x5402: 'TCSETS', 0x5403: 'TCSETSW', 0x5404: 'TCSETSF', 0x540b: 'TCFLSH', 0x540e: 'TIOCSCTTY',
  0x540f: 'TIOCGPGRP', 0x5410: 'TIOCSPGRP', 0x5413: 'TIOCGWINSZ', 0x5414: 'TIOCSWINSZ', 0x541b: 'FIONREAD',
  0x5421: 'FIONBIO', 0x5422: 'TIOCNOTTY', 0x5429: 'TIOCGSID', 0x5450: 'FIONCLEX', 0x5451: 'FIOCLEX', 0x5452: 'FIOASYNC',
  0x80045430: 'TIOCGPTN', 0x40045431: 'TIOCSPTLCK', 0x5441: 'TIOCGPTPEER',
};

const PRCTL_OPTIONS: Readonly<Record<number, string>> = {
  1: 'PR_SET_PDEATHSIG', 2: 'PR_GET_PDEATHSIG', 3: 'PR_GET_DUMPABLE', 4: 'PR_SET_DUMPABLE', 8: 'PR_SET_KEEPCAPS',
  15: 'PR_SET_NAME', 16: 'PR_GET_NAME', 21: 'PR_GET_SECCOMP', 22: 'PR_SET_SECCOMP', 23: 'PR_CAPBSET_READ',
  24: 'PR_CAPBSET_DROP', 27: 'PR_GET_SECUREBITS', 28: 'PR_SET_SECUREBITS', 36: 'PR_SET_CHILD_SUBREAPER',
  37: 'PR_GET_CHILD_SUBREAPER', 38: 'PR_SET_NO_NEW_PRIVS', 39: 'PR_GET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT',
  0x53564d41: 'PR_SET_VMA', 0x59616d61: 'PR_SET_PTRACER',
};

const SOCKETCALLS: Readonly<Record<number, string>> = {
  1: 'SYS_SOCKET', 2: 'SYS_BIND', 3: 'SYS_CONNECT', 4: 'SYS_LISTEN', 5: 'SYS_ACCEPT', 6: 'SYS_GETSOCKNAME', 7: 'SYS_GETPEERNAME',
  8: 'SYS_SOCKETPAIR', 9: 'SYS_SEND', 10: 'SYS_RECV', 11: 'SYS_SENDTO', 12: 'SYS_RECVFROM', 13: 'SYS_SHUTDOWN',
  14: 'SYS_SETSOCKOPT', 15: 'SYS_GETSOCKOPT', 16: 'SYS_SENDMSG', 17: 'SYS_RECVMSG', 18: 'SYS_ACCEPT4', 19: 'SYS_RECVMMSG', 20: 'SYS_SENDMMSG',
};

/** The namespace flags, the values learn mode records of clone and unshare. */
const CLONE_FLAGS: readonly [number, string][] = namesOf('CLONE_NEW', ['CLONE_NEW_NAMESPACES']);

const GENERIC_IOCTL_ARCHES: ReadonlySet<string> = new Set(['x86_64', 'x86', 'x32', 'aarch64', 'arm', 'riscv64', 's390x', 'loongarch64']);

function flagNames(value: number): string {
  if (value === 0) return 'no namespace flags';
  const names = CLONE_FLAGS.filter(([bit]) => (value & bit) !== 0).map(([, n]) => n);
  return names.join('|');
}

/** A name for `value` of `syscall`'s recorded argument, where one is known. */
export function valueName(syscall: string, arch: ArchName, value: bigint): string | undefined {
  const v = Number(value);
  switch (syscall) {
    case 'socket':
    case 'socketpair':
      return ADDRESS_FAMILIES[v];
    case 'ioctl':
      return GENERIC_IOCTL_ARCHES.has(arch) ? GENERIC_IOCTLS[v] : undefined;
    case 'prctl':
      return PRCTL_OPTIONS[v];
    case 'socketcall':
      return SOCKETCALLS[v];
    case 'clone':
    case 'unshare':
      return flagNames(v);
    default:
      return undefined;
  }
}
