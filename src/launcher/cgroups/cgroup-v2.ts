/**
 * The cgroup v2 backend (Documentation/admin-guide/cgroup-v2.rst): controllers are enabled
 * top-down through cgroup.subtree_control of the hierarchy root and of `seccompile/` (which
 * holds no processes, so the "no internal processes" rule is kept), then the run's cgroup
 * gets memory.max, memory.swap.max (= --memory-swap minus --memory; 0 by default), pids.max
 * and cpu.max "QUOTA PERIOD". memory.events "oom_kill" and pids.events "max" count what the
 * limits did; cgroup.kill (Linux >= 5.14) ends leftovers without a fork race.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CGROUP_BASE, killAll, makeDir, readKeyed, removeDir, writeControl } from './cgroup-fs.js';
import type { Cgroup, CgroupLimits, Controller } from './cgroups.js';
import { attachV2DeviceProgram } from './device-cgroup.js';
import { setupError } from '../launch-error.js';

const STEP = 'create cgroup (v2)';
const CPU_PERIOD_US = 100_000;

function enable(dir: string, controllers: readonly Controller[]): void {
  if (controllers.length === 0) return;
  let enabled: string[] = [];
  try {
    enabled = readFileSync(`${dir}/cgroup.subtree_control`, 'utf8').trim().split(/\s+/);
  } catch {
    // Written below; a failure there names the file.
  }
  const missing = controllers.filter((c) => !enabled.includes(c));
  if (missing.length > 0) writeControl(STEP, `${dir}/cgroup.subtree_control`, missing.map((c) => `+${c}`).join(' '));
}

export function createV2(root: string, controllers: readonly Controller[], name: string, limits: CgroupLimits, devices = false): Cgroup {
  const base = `${root}/${CGROUP_BASE}`;
  const dir = `${base}/${name}`;
  let created = false;
  const destroy = () => {
    if (!created) return;
    killAll(dir);
    removeDir('remove cgroup', dir);
  };
  try {
    enable(root, controllers);
    makeDir(STEP, base, true);
    enable(base, controllers);
    makeDir(STEP, dir, false);
    created = true;
    if (devices) attachV2DeviceProgram(STEP, dir);
    if (limits.memory !== undefined) {
      writeControl(STEP, `${dir}/memory.max`, String(limits.memory));
      const swap = `${dir}/memory.swap.max`;
      const swapBytes = (limits.memorySwap ?? limits.memory) - limits.memory;
      if (existsSync(swap)) writeControl(STEP, swap, String(swapBytes));
      else if (limits.memorySwap !== undefined) throw setupError(STEP, '--memory-swap needs swap accounting (no memory.swap.max)');
    }
    if (limits.pids !== undefined) writeControl(STEP, `${dir}/pids.max`, String(limits.pids));
    if (limits.cpus !== undefined) {
      writeControl(STEP, `${dir}/cpu.max`, `${Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
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
    version: 2,
    dirs: [dir],
    procsFiles: [`${dir}/cgroup.procs`],
    // One cgroup holds every controller (`controllers` are the limits'): any limit makes the join late.
    ...(controllers.length > 0
      ? { lateProcsFiles: [`${dir}/cgroup.procs`], earlyProcsFiles: [] }
      : { lateProcsFiles: [], earlyProcsFiles: [`${dir}/cgroup.procs`] }),
    events() {
      return {
        oomKills: readKeyed(`${dir}/memory.events`).get('oom_kill') ?? 0,
        pidsRefused: readKeyed(`${dir}/pids.events`).get('max') ?? 0,
      };
    },
    destroy,
  };
}
