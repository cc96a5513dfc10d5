/**
 * No process of a jail outlives it. With a pid namespace the kernel sees to that: the command
 * is its PID 1 and dies with the supervisor (PR_SET_PDEATHSIG), which kills the namespace.
 * Without one (--no-pid, or no root), the command's descendants would be re-parented to the
 * host's init and run on; instead:
 *  - the supervisor is a child subreaper (./supervisor.ts), so they become its children, and
 *    at the end it kills its remaining children (`killOrphans`) as well as the cgroup;
 *  - if the supervisor itself is SIGKILLed it can do nothing, so a small shell started outside
 *    the jail (`startWatchdog`) waits for the supervisor's end (its stdin pipe closing) and then
 *    kills every process of the run's cgroup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kills (SIGKILL) every live child of this process, until none is left; returns how many. */
export function killOrphans(): number {
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    const children = liveChildren();
    if (children.length === 0) break;
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return killed;
}

function liveChildren(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z' && state !== 'X') out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

// $@: the run's cgroup directories. cgroup.kill (v2, Linux 5.14) kills them all at once;
// otherwise a few rounds over cgroup.procs catch what forked meanwhile.
const WATCHDOG = `read _
for d in "$@"; do
  if [ -e "$d/cgroup.kill" ]; then echo 1 > "$d/cgroup.kill"
  else for round in 1 2 3 4 5 6 7 8; do while read p; do kill -9 "$p"; done < "$d/cgroup.procs"; done
  fi
done 2>/dev/null`;

/** Starts the watchdog for `dirs`; it does nothing once the supervisor has removed them. */
export function startWatchdog(dirs: readonly string[]): ChildProcess {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'jail-watchdog', ...dirs], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: {},
  });
  child.on('error', () => {}); // Without /bin/sh there is no watchdog; the next run sweeps.
  child.unref();
  (child.stdin as { unref?: () => void } | null)?.unref?.();
  return child;
}
