/**
 * The cgroup v1 backend: one directory per hierarchy (memory, pids, cpu are separate mounts
 * on v1 systems), limits in the v1 file names (Documentation/admin-guide/cgroup-v1/memory.rst,
 * pids.rst, scheduler/sched-bwc.rst):
 *   memory.limit_in_bytes, memory.memsw.limit_in_bytes (memory + swap; only with swap
 *   accounting), pids.max, cpu.cfs_period_us / cpu.cfs_quota_us.
 * OOM kills are counted in memory.oom_control ("oom_kill N", Linux >= 4.13), refused forks in
 * pids.events ("max N").
 */
import { existsSync } from 'node:fs';
import { CGROUP_BASE, killAll, makeDir, readKeyed, removeDir, writeControl } from './cgroup-fs.js';
import type { Cgroup, CgroupLimits, CgroupPlan, Controller } from './cgroups.js';
import { applyV1DeviceRules } from './device-cgroup.js';
import { setupError } from '../launch-error.js';

const STEP = 'create cgroup (v1)';
export const CFS_PERIOD_US = 100_000;

export function createV1(plan: Extract<CgroupPlan, { version: 1 }>, name: string, limits: CgroupLimits): Cgroup {
  const dirs = plan.hierarchies.map((mp) => `${mp}/${CGROUP_BASE}/${name}`);
  const dirOf = (c: Controller) => `${plan.byController.get(c)}/${CGROUP_BASE}/${name}`;
  const created: string[] = [];
  // Hierarchies whose controller enforces one of the limits (several may share a mount).
  const limiting = new Set(plan.byController.values());
  const destroy = () => {
    if (created.length > 0) killAll(created[0]!);
    for (const d of created) removeDir('remove cgroup', d);
  };
  try {
    for (const mp of plan.hierarchies) {
      makeDir(STEP, `${mp}/${CGROUP_BASE}`, true);
      const dir = `${mp}/${CGROUP_BASE}/${name}`;
      makeDir(STEP, dir, false);
      created.push(dir);
    }
    if (limits.memory !== undefined) {
      const dir = dirOf('memory');
      writeControl(STEP, `${dir}/memory.limit_in_bytes`, String(limits.memory));
      const memsw = `${dir}/memory.memsw.limit_in_bytes`;
      if (existsSync(memsw)) writeControl(STEP, memsw, String(limits.memorySwap ?? limits.memory));
      else if (limits.memorySwap !== undefined) {
        throw setupError(STEP, '--memory-swap needs swap accounting (no memory.memsw.limit_in_bytes: boot with swapaccount=1)');
      }
    }
    if (limits.pids !== undefined) writeControl(STEP, `${dirOf('pids')}/pids.max`, String(limits.pids));
    if (plan.devices !== undefined) applyV1DeviceRules(STEP, `${plan.devices}/${CGROUP_BASE}/${name}`);
    if (limits.cpus !== undefined) {
      const dir = dirOf('cpu');
      writeControl(STEP, `${dir}/cpu.cfs_period_us`, String(CFS_PERIOD_US));
      writeControl(STEP, `${dir}/cpu.cfs_quota_us`, String(Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US))));
    }
  } catch (e) {
    try {
      destroy();
    } catch {
      // Report the creation error, not the cleanup's.
    }
    throw e;
  }
  return {
    version: 1,
    dirs,
    procsFiles: dirs.map((d) => `${d}/cgroup.procs`),
    lateProcsFiles: dirs.filter((_, i) => limiting.has(plan.hierarchies[i]!)).map((d) => `${d}/cgroup.procs`),
    earlyProcsFiles: dirs.filter((_, i) => !limiting.has(plan.hierarchies[i]!)).map((d) => `${d}/cgroup.procs`),
    events() {
      const memory = plan.byController.has('memory') ? readKeyed(`${dirOf('memory')}/memory.oom_control`) : undefined;
      const pids = plan.byController.has('pids') ? readKeyed(`${dirOf('pids')}/pids.events`) : undefined;
      return { oomKills: memory?.get('oom_kill') ?? 0, pidsRefused: pids?.get('max') ?? 0 };
    },
    destroy,
  };
}
