/**
 * What a running jail uses, for `jail ps`: memory and tasks of its cgroup, read from the
 * controllers' counters where the run's cgroup has them (Documentation/admin-guide/
 * cgroup-v2.rst memory.current, pids.current; cgroup-v1/memory.rst memory.usage_in_bytes),
 * else summed over the cgroup's processes: a run without limits on a machine whose v2
 * hierarchy has no memory controller has no counter, so its memory is the sum of its
 * processes' resident sets (VmRSS; shared pages count once per process) and its tasks are
 * the threads listed in the cgroup.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface JailUsage {
  /** Bytes; undefined when the cgroup is gone. */
  readonly memory?: number;
  /** `cgroup`: the memory controller's counter (page cache included); `rss`: the processes' VmRSS sum. */
  readonly memorySource: 'cgroup' | 'rss';
  /** Processes and threads (what pids.max limits). */
  readonly tasks: number;
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

function rssBytes(pid: string): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Usage of the cgroup whose directories (one per v1 hierarchy, one for v2) are `dirs`. */
export function jailUsage(dirs: readonly string[]): JailUsage {
  let memory: number | undefined;
  let tasks: number | undefined;
  for (const dir of dirs) {
    memory ??= readNumber(`${dir}/memory.current`) ?? readNumber(`${dir}/memory.usage_in_bytes`);
    tasks ??= readNumber(`${dir}/pids.current`);
  }
  const first = dirs[0];
  if (tasks === undefined && first !== undefined) {
    tasks = lines(existsSync(`${first}/cgroup.threads`) ? `${first}/cgroup.threads` : `${first}/tasks`).length;
  }
  if (memory !== undefined || first === undefined) return { memory, memorySource: 'cgroup', tasks: tasks ?? 0 };
  const procs = lines(`${first}/cgroup.procs`);
  return { memory: procs.reduce((sum, pid) => sum + rssBytes(pid), 0), memorySource: 'rss', tasks: tasks ?? 0 };
}
