/**
 * Namespaces: unshare, private mount propagation, the hostname, and bringing up `lo` in a new
 * network namespace.
 *
 * Node is multithreaded, which shapes what can be done from JavaScript (kernel/fork.c
 * ksys_unshare, check_unshare_flags):
 *  - CLONE_NEWUSER implies CLONE_THREAD and fails with EINVAL in a multithreaded process: no
 *    user namespaces, so every namespace here needs CAP_SYS_ADMIN.
 *  - CLONE_NEWNS, NEWNET, NEWUTS, NEWIPC act on the calling thread only (its nsproxy; NEWNS
 *    also gives the thread its own fs_struct). Node runs JavaScript and koffi calls on the
 *    main thread, and execve() from the main thread keeps the main thread's namespaces.
 *  - CLONE_NEWPID changes only pid_ns_for_children of the calling thread: the next child
 *    forked by that thread (libuv forks on the main thread) is PID 1 of the new namespace.
 *    The supervisor does that step; afterwards it goes back to its own pid namespace for
 *    children with setns(), so later spawns are unaffected.
 */
import { closeSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { errno, libc } from '../ffi.js';
import { syscallError } from '../launch-error.js';
import {
  AF_INET,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUTS,
  IFF_UP,
  IFREQ_SIZE,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_PRIVATE,
  MS_REC,
  SIOCGIFFLAGS,
  SIOCSIFFLAGS,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
} from '../linux.js';
import type { Namespaces } from '../spec.js';

const NEEDS_ROOT = 'namespaces need root (CAP_SYS_ADMIN); run without them with --no-pid --no-mount --no-net --no-uts --no-ipc';

/** The CLONE_NEW* flags the init stage unshares (all but pid). */
export function initCloneFlags(ns: Namespaces): number {
  return (ns.mount ? CLONE_NEWNS : 0) | (ns.net ? CLONE_NEWNET : 0) | (ns.uts ? CLONE_NEWUTS : 0) | (ns.ipc ? CLONE_NEWIPC : 0);
}

/** Names of the namespaces in `flags`, for messages: "mount, net". */
export function describeCloneFlags(flags: number): string {
  const names: string[] = [];
  if (flags & CLONE_NEWPID) names.push('pid');
  if (flags & CLONE_NEWNS) names.push('mount');
  if (flags & CLONE_NEWNET) names.push('net');
  if (flags & CLONE_NEWUTS) names.push('uts');
  if (flags & CLONE_NEWIPC) names.push('ipc');
  return names.join(', ');
}

export function unshareNamespaces(step: string, flags: number): void {
  if (flags === 0) return;
  if (libc().unshare(flags) !== 0) {
    const e = errno();
    throw syscallError(step, 'unshare', e, e === 1 /* EPERM */ ? NEEDS_ROOT : undefined);
  }
}

/**
 * Runs `spawnChild` with the calling thread's children going to a new pid namespace, then
 * puts the thread's pid_ns_for_children back, so only the child spawned inside is PID 1 of
 * the new namespace.
 */
export function inNewPidNamespace<T>(step: string, spawnChild: () => T): T {
  const own = openSync('/proc/self/ns/pid', 'r');
  try {
    unshareNamespaces(step, CLONE_NEWPID);
    try {
      return spawnChild();
    } finally {
      if (libc().setns(own, CLONE_NEWPID) !== 0) throw syscallError(step, 'setns', errno());
    }
  } finally {
    closeSync(own);
  }
}

/** mount --make-rprivate /: nothing mounted in the jail propagates to the host. */
export function makeMountsPrivate(step: string): void {
  if (libc().mount(null, '/', null, MS_REC | MS_PRIVATE, null) !== 0) throw syscallError(step, 'mount', errno());
}

export function setHostname(step: string, name: string): void {
  const bytes = Buffer.byteLength(name);
  if (libc().sethostname(name, bytes) !== 0) throw syscallError(step, 'sethostname', errno());
}

/** ifconfig lo up: SIOCGIFFLAGS then SIOCSIFFLAGS with IFF_UP on an AF_INET datagram socket. */
export function bringUpLoopback(step: string): void {
  const c = libc();
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw syscallError(step, 'socket', errno());
  try {
    // struct ifreq: char ifr_name[IFNAMSIZ = 16]; then a union whose first short is ifr_flags.
    const ifr = Buffer.alloc(IFREQ_SIZE);
    ifr.write('lo', 0, 'latin1');
    if (c.ioctl(fd, SIOCGIFFLAGS, ifr) !== 0) throw syscallError(step, 'ioctl(SIOCGIFFLAGS)', errno());
    if (endianness() === 'LE') ifr.writeInt16LE(ifr.readInt16LE(16) | IFF_UP, 16);
    else ifr.writeInt16BE(ifr.readInt16BE(16) | IFF_UP, 16);
    if (c.ioctl(fd, SIOCSIFFLAGS, ifr) !== 0) throw syscallError(step, 'ioctl(SIOCSIFFLAGS)', errno());
  } finally {
    c.close(fd);
  }
}
