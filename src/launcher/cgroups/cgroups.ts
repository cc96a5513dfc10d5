/**
 * Cgroups: one interface over the v1 and v2 backends, the choice between them, and the
 * per-run naming and stale-run sweep.
 * The run joins its hierarchies in two moments (see `Cgroup.lateProcsFiles`/`earlyProcsFiles`).
 *
 * Choice: the unified (v2) hierarchy when it is mounted and its root's cgroup.controllers
 * has every controller the limits need; else v1 hierarchies (one mount per controller, as
 * on this project's CI machines, which mount v1 controllers and a v2 hierarchy with almost
 * none). A run without limits still gets a cgroup, for finding and killing leftovers.
 *
 * Layout: `<hierarchy mount>/seccompile/jail-<pid>-<starttime>-<random>` (fixed under the
 * hierarchy root, like nsjail's and runc's defaults; the owner pid and its start time let a
 * later run tell a dead run's cgroup from a live one, even across pid reuse). Where a
 * hierarchy enforces a limit, the command joins it at the last moment before execve (the init
 * stage writes "0" to cgroup.procs), so Node's own start-up memory is not charged to `--memory`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CGROUP_BASE, killAll, removeDir } from './cgroup-fs.js';
import { createV1 } from './cgroup-v1.js';
import { createV2 } from './cgroup-v2.js';
import { setupError } from '../launch-error.js';

export interface CgroupLimits {
  /** Bytes. */
  readonly memory?: number;
  /** Memory plus swap, bytes (docker's --memory-swap); defaults to `memory` (no swap). */
  readonly memorySwap?: number;
  /** CPUs, e.g. 0.5. */
  readonly cpus?: number;
  readonly pids?: number;
}

export type Controller = 'memory' | 'pids' | 'cpu';

/** What the sandbox counted during the run, read before the cgroup is removed. */
export interface CgroupEvents {
  /** Processes the OOM killer killed in this cgroup. */
  readonly oomKills: number;
  /** fork()/clone() calls refused by pids.max. */
  readonly pidsRefused: number;
}

export interface Cgroup {
  readonly version: 1 | 2;
  /** The run's directories (one per v1 hierarchy, one for v2). */
  readonly dirs: readonly string[];
  /** cgroup.procs of every hierarchy of the run (what `jail enter` joins). */
  readonly procsFiles: readonly string[];
  /**
   * The ones that enforce a limit: the init stage joins them at the last moment before execve,
   * so Node's own start is not charged to --memory, counted by --pids or throttled by --cpus.
   */
  readonly lateProcsFiles: readonly string[];
  /**
   * The ones without a limit (only for finding leftovers): the supervisor moves the init stage
   * into them as soon as it runs. A migration waits for an RCU grace period (the write side of
   * cgroup_threadgroup_rwsem, kernel/cgroup/cgroup.c; 10-25 ms on these machines), which then
   * passes while the init stage's Node starts instead of right before the command.
   */
  readonly earlyProcsFiles: readonly string[];
  events(): CgroupEvents;
  /** Kills what is left and removes the directories. */
  destroy(): void;
}

export interface CgroupMounts {
  /** Mount point of the unified hierarchy, if any. */
  readonly v2?: string;
  /** v1 controller name -> mount point of its hierarchy. */
  readonly v1: ReadonlyMap<string, string>;
}

export { CGROUP_BASE };

/** Parses /proc/self/mountinfo for cgroup and cgroup2 mounts. */
export function parseCgroupMounts(mountinfo: string): CgroupMounts {
  let v2: string | undefined;
  const v1 = new Map<string, string>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOptions = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = left[4]?.replace(/\\040/g, ' ');
    if (!mountPoint) continue;
    if (fstype === 'cgroup2') v2 ??= mountPoint;
    else if (fstype === 'cgroup') {
      for (const opt of superOptions.split(',')) {
        if (opt === 'rw' || opt === 'ro' || opt.includes('=') || v1.has(opt)) continue;
        v1.set(opt, mountPoint);
      }
    }
  }
  return { v2, v1 };
}

export function readCgroupMounts(): CgroupMounts {
  return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
}

export function neededControllers(limits: CgroupLimits): Controller[] {
  const out: Controller[] = [];
  if (limits.memory !== undefined || limits.memorySwap !== undefined) out.push('memory');
  if (limits.pids !== undefined) out.push('pids');
  if (limits.cpus !== undefined) out.push('cpu');
  return out;
}

/** `devices`: restrict device access to the allow-list (./device-cgroup.ts): on v2 a BPF program, on v1 the mount of the devices controller. */
export type CgroupPlan =
  | { readonly version: 2; readonly root: string; readonly controllers: readonly Controller[]; readonly devices?: boolean }
  | {
      readonly version: 1;
      readonly hierarchies: readonly string[];
      readonly byController: ReadonlyMap<Controller, string>;
      readonly devices?: string;
    };

function v2Controllers(root: string): Set<string> {
  try {
    return new Set(readFileSync(`${root}/cgroup.controllers`, 'utf8').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/**
 * Which backend and hierarchies serve `limits`; throws naming what is missing. `devices`: also
 * the device allow-list (v2 always can; v1 where the devices controller is mounted).
 */
export function planCgroup(mounts: CgroupMounts, limits: CgroupLimits, devices = false): CgroupPlan {
  const needed = neededControllers(limits);
  if (mounts.v2 !== undefined) {
    const have = v2Controllers(mounts.v2);
    if (needed.every((c) => have.has(c))) return { version: 2, root: mounts.v2, controllers: needed, ...(devices ? { devices } : {}) };
  }
  const missing = needed.filter((c) => !mounts.v1.has(c));
  if (missing.length === 0 && (needed.length > 0 || mounts.v1.size > 0)) {
    const byController = new Map<Controller, string>();
    for (const c of needed) byController.set(c, mounts.v1.get(c)!);
    // Without limits, track the run in the pids hierarchy (or any) to find leftovers.
    const tracking = mounts.v1.get('pids') ?? mounts.v1.values().next().value;
    const deviceMount = devices ? mounts.v1.get('devices') : undefined;
    const hierarchies = [...new Set([...byController.values(), ...(tracking && needed.length === 0 ? [tracking] : []), ...(deviceMount ? [deviceMount] : [])])];
    return { version: 1, hierarchies, byController, ...(deviceMount ? { devices: deviceMount } : {}) };
  }
  const where = mounts.v2 ? `cgroup v2 at ${mounts.v2} has only "${[...v2Controllers(mounts.v2)].join(' ')}"` : 'no cgroup v2';
  throw setupError(
    'cgroup',
    `controller ${missing.join(', ') || needed.join(', ')} not available (${where}, and no cgroup v1 hierarchy for it)`,
  );
}

/** The "<starttime>" field of /proc/<pid>/stat (clock ticks since boot), or undefined. */
export function processStartTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A fresh name for this process's run. */
export function runName(): string {
  // Math.random, not node:crypto (~3 ms to load): pid and start time already make the name
  // unique among live processes; the random part only separates runs of one process.
  const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return `jail-${process.pid}-${processStartTime('self') ?? 0}-${random}`;
}

const RUN_NAME = /^jail-(\d+)-(\d+)-[0-9a-f]+$/;

/** Whether the run that created cgroup `name` is gone (its pid dead or reused). */
export function isStale(name: string): boolean {
  const m = RUN_NAME.exec(name);
  if (!m) return false;
  return processStartTime(Number(m[1])) !== m[2];
}

export function createCgroup(plan: CgroupPlan, limits: CgroupLimits, name = runName()): Cgroup {
  return plan.version === 2 ? createV2(plan.root, plan.controllers, name, limits, plan.devices ?? false) : createV1(plan, name, limits);
}

/** Removes cgroups of dead runs (killing anything left in them); returns their paths. */
export function sweepStaleCgroups(mounts: CgroupMounts): string[] {
  const bases = new Set<string>();
  if (mounts.v2) bases.add(`${mounts.v2}/${CGROUP_BASE}`);
  for (const mp of mounts.v1.values()) bases.add(`${mp}/${CGROUP_BASE}`);
  const removed: string[] = [];
  for (const base of bases) {
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!isStale(name)) continue;
      const dir = `${base}/${name}`;
      if (!existsSync(dir)) continue;
      try {
        killAll(dir);
        removeDir('remove stale cgroup', dir);
        removed.push(dir);
      } catch {
        // Another run is sweeping it, or it is stuck: the next run tries again.
      }
    }
  }
  return removed;
}
