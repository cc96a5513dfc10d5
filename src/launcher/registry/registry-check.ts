/**
 * What `jail stop` and `jail enter` check before acting on a registry entry (./registry.ts).
 * The registry is out of the jail's reach (root-owned, 0700, hidden in the jail's filesystem),
 * but an entry is still only a claim: before a signal is sent or a namespace joined, the
 * processes and cgroups it names must be the ones a jail run made, so that a rewritten entry
 * cannot turn jail's administration into a way to signal or enter anything else.
 *  - the state directory belongs to the user running jail and no one else may write to it;
 *  - the supervisor is a running `jail` (Node running a script called jail, at the same start time);
 *  - the command is the supervisor's child (the init stage became it by execve), or in a
 *    rootless run the child of the supervisor's child (util-linux unshare, ./userns.ts);
 *  - every cgroup directory is `<a cgroup mount>/seccompile/jail-<supervisor pid>-<its start
 *    time>-<hex>`: the name the supervisor gave its run's cgroup (../cgroups/cgroups.ts runName).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CGROUP_BASE, readCgroupMounts, type CgroupMounts } from '../cgroups/cgroups.js';
import type { JailEntry, ProcessId } from './registry.js';

/** Why the state directory cannot be trusted, or undefined. */
export function stateDirProblem(dir: string): string | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return undefined; // No registry yet: nothing to trust or distrust.
  }
  const uid = process.geteuid?.() ?? 0;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** From its command line (/proc/PID/exe is unreadable: the supervisor is not dumpable). */
function isJailSupervisor(id: ProcessId): boolean {
  try {
    const argv = readFileSync(`/proc/${id.pid}/cmdline`, 'utf8').split('\0');
    return /^node/.test(basename(argv[0] ?? '')) && argv[1] !== undefined && /^jail(\.js)?$/.test(basename(argv[1]));
  } catch {
    return false; // Gone.
  }
}

/** Why `entry` does not describe a run of jail's, or undefined when it does. */
export function entryProblem(entry: JailEntry, mounts: CgroupMounts = readCgroupMounts()): string | undefined {
  const sup = entry.supervisor;
  if (statFields(sup.pid)?.[19] !== sup.starttime) return `its supervisor (pid ${sup.pid}) is gone`;
  if (!isJailSupervisor(sup)) return `pid ${sup.pid} is not a jail process`;
  if (entry.command) {
    const fields = statFields(entry.command.pid);
    const parent = fields ? Number(fields[1]) : undefined;
    const viaUnshare = entry.rootless === true && parent !== undefined && Number(statFields(parent)?.[1]) === sup.pid;
    if (fields && fields[19] === entry.command.starttime && parent !== sup.pid && !viaUnshare) {
      return `its command (pid ${entry.command.pid}) is not a child of its supervisor (pid ${sup.pid})`;
    }
  }
  const name = new RegExp(`^jail-${sup.pid}-${sup.starttime}-[0-9a-f]+$`);
  const roots = [mounts.v2, ...mounts.v1.values()].filter((m): m is string => m !== undefined).map((m) => `${m}/${CGROUP_BASE}`);
  for (const dir of entry.cgroup?.dirs ?? []) {
    const parent = dir.slice(0, dir.lastIndexOf('/'));
    // A rootless run's cgroup is under the user's delegated cgroup, somewhere below a mount.
    const underDelegated = entry.rootless === true && basename(parent) === CGROUP_BASE && roots.some((r) => parent.startsWith(r.slice(0, -CGROUP_BASE.length)));
    if ((!roots.includes(parent) && !underDelegated) || !name.test(basename(dir))) return `cgroup ${dir} is not one its supervisor made`;
  }
  const procs = entry.cgroup?.procsFiles ?? [];
  if (procs.some((f) => !entry.cgroup!.dirs.some((d) => f === `${d}/cgroup.procs`))) return 'its cgroup.procs files are not in its cgroups';
  return undefined;
}
