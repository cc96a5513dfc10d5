/**
 * Taking the seccomp listener of the init stage. The init stage installs the filter with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, which gives it the listener fd; it cannot pass that fd on
 * itself, because from then on each of its syscalls may wait for an answer on that very fd. So
 * the supervisor takes a copy with pidfd_getfd(2) (Linux >= 5.6), finding it by its link in
 * /proc/PID/fd, while the init stage waits on its status channel.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errno, libc } from '../ffi.js';
import { setupError, syscallError } from '../launch-error.js';
import { syscallNumber } from '../linux.js';

const LISTENER_LINK = 'anon_inode:seccomp notify';

function listenerFdOf(pid: number): number | 'gone' | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 'gone';
  }
  for (const name of names) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${name}`) === LISTENER_LINK) return Number(name);
    } catch {
      // Closed meanwhile.
    }
  }
  return undefined;
}

/**
 * A copy (close-on-exec) of the listener fd process `pid` holds, once it has one; waits up to
 * `timeoutMs`. The caller must be allowed to ptrace `pid` (its parent, as root or as the owner
 * of its user namespace).
 */
export async function takeListener(step: string, pid: number, timeoutMs = 10_000): Promise<number> {
  const c = libc();
  const [pidfdOpen, pidfdGetfd] = [syscallNumber('pidfd_open'), syscallNumber('pidfd_getfd')];
  if (pidfdOpen === undefined || pidfdGetfd === undefined) throw setupError(step, `pidfd_open/pidfd_getfd unknown on ${process.arch}`);
  const pidfd = Number(c.syscall(pidfdOpen, 'int', pid, 'unsigned int', 0));
  if (pidfd < 0) throw syscallError(step, 'pidfd_open', errno());
  try {
    const deadline = Date.now() + timeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      const target = listenerFdOf(pid);
      if (target === 'gone') throw setupError(step, `the init stage (pid ${pid}) ended before its filter was installed`);
      if (target !== undefined) {
        const fd = Number(c.syscall(pidfdGetfd, 'int', pidfd, 'int', target, 'unsigned int', 0));
        if (fd < 0) throw syscallError(step, 'pidfd_getfd', errno());
        return fd;
      }
      if (Date.now() > deadline) throw setupError(step, `the init stage (pid ${pid}) has no seccomp listener after ${timeoutMs} ms`);
      await sleep(wait);
    }
  } finally {
    c.close(pidfd);
  }
}
