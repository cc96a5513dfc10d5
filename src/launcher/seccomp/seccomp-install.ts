/**
 * Installs a seccomp filter on the whole process, the last step before execve():
 * prctl(PR_SET_NO_NEW_PRIVS) then seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC).
 *
 * TSYNC matters because Node is multithreaded: without it only the calling thread would be
 * filtered (kernel/seccomp.c seccomp_attach_filter, seccomp_sync_threads). execve() then
 * kills the other threads and the filter stays with the process and all its descendants.
 * With TSYNC the syscall returns the id of a thread it could not synchronise (> 0) instead of
 * an errno; that happens only when a thread already has an unrelated filter.
 */
import { errno, libc, sockFprogPointer } from '../ffi.js';
import { setupError, syscallError } from '../launch-error.js';
import { PR_SET_NO_NEW_PRIVS, syscallNumber } from '../linux.js';
import { SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_SET_MODE_FILTER } from '../../seccomp/abi.js';

const SOCK_FILTER_SIZE = 8;
const BPF_MAXINSNS = 4096;

export function setNoNewPrivs(step: string): void {
  if (libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) throw syscallError(step, 'prctl(PR_SET_NO_NEW_PRIVS)', errno());
}

/**
 * Installs `filter` (struct sock_filter[] in host byte order) with NO_NEW_PRIVS and TSYNC.
 * With `listener`, also SECCOMP_FILTER_FLAG_NEW_LISTENER (and TSYNC_ESRCH, without which the
 * kernel refuses TSYNC next to it: both would use the return value); returns the listener fd.
 */
export function installFilter(step: string, filter: Uint8Array, listener = false): number | undefined {
  const count = filter.length / SOCK_FILTER_SIZE;
  if (!Number.isInteger(count) || count < 1 || count > BPF_MAXINSNS) {
    throw setupError(step, `a filter is 1 to ${BPF_MAXINSNS} instructions of 8 bytes; got ${filter.length} bytes`);
  }
  const nr = syscallNumber('seccomp');
  if (nr === undefined) throw setupError(step, `seccomp(2) number unknown on ${process.arch}`);
  setNoNewPrivs(step);
  const c = libc();
  const ret = Number(
    c.syscall(
      nr,
      'unsigned int',
      SECCOMP_SET_MODE_FILTER,
      'unsigned int',
      SECCOMP_FILTER_FLAG_TSYNC | (listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0),
      sockFprogPointer(),
      { len: count, filter: Buffer.from(filter.buffer, filter.byteOffset, filter.byteLength) },
    ),
  );
  if (ret < 0) throw syscallError(step, 'seccomp(SECCOMP_SET_MODE_FILTER)', errno());
  if (listener) return ret;
  if (ret > 0) throw setupError(step, `seccomp: SECCOMP_FILTER_FLAG_TSYNC could not synchronise thread ${ret}`);
  return undefined;
}
