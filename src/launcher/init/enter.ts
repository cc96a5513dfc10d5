/**
 * `jail enter`, the supervisor's side: the entered command must be a child of a process in the
 * jail's pid namespace, and setns(CLONE_NEWPID) only changes where the calling thread's next
 * child goes (kernel/pid_namespace.c pidns_install). So, as for a new jail, the supervisor
 * switches its main thread's pid namespace for children to the jail's, spawns the init stage
 * (libuv forks on the main thread), and switches back. The init stage then joins the other
 * namespaces itself (./enter-steps.ts), inside the jail's pid namespace from its first
 * instruction.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { errno, libc } from '../ffi.js';
import { setupError, syscallError } from '../launch-error.js';
import { CLONE_NEWPID } from '../linux.js';
import type { EnterTarget } from '../spec.js';

/** Throws unless `target.pid` is still the process registered (same start time). */
export function checkTarget(step: string, target: EnterTarget): void {
  let starttime: string | undefined;
  try {
    const stat = readFileSync(`/proc/${target.pid}/stat`, 'utf8');
    starttime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    // Gone.
  }
  if (starttime !== target.starttime) throw setupError(step, `the jail's command (pid ${target.pid}) has exited`);
}

/** Runs `spawnChild` with the calling thread's children going to the pid namespace of `target`. */
export function inPidNamespaceOf<T>(step: string, target: EnterTarget, spawnChild: () => T): T {
  const own = openSync('/proc/self/ns/pid', 'r');
  try {
    const theirs = openSync(`/proc/${target.pid}/ns/pid`, 'r');
    try {
      // Checked after opening: the namespace file then belongs to the registered process.
      checkTarget(step, target);
      if (libc().setns(theirs, CLONE_NEWPID) !== 0) throw syscallError(step, 'setns', errno());
    } finally {
      closeSync(theirs);
    }
    try {
      return spawnChild();
    } finally {
      if (libc().setns(own, CLONE_NEWPID) !== 0) throw syscallError(step, 'setns', errno());
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw setupError(step, `the jail's command (pid ${target.pid}) has exited`);
    throw e;
  } finally {
    closeSync(own);
  }
}
