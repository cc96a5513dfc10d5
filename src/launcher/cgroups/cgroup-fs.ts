/**
 * File operations on a cgroup filesystem shared by the v1 and v2 backends: writing a control
 * file with the step named in errors, reading flat-keyed files (`oom_kill 3`), killing what is
 * left in a cgroup, and removing its directory (Documentation/admin-guide/cgroup-v2.rst,
 * Documentation/admin-guide/cgroup-v1/cgroups.rst).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { setupError, syscallError } from '../launch-error.js';

/** The directory under each hierarchy root that holds the runs' cgroups. */
export const CGROUP_BASE = 'seccompile';

const EPERM_HINT = 'cgroups need root';

function errnoOf(e: unknown): number {
  const n = (e as { errno?: number }).errno;
  return typeof n === 'number' ? Math.abs(n) : 0;
}

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/** Writes a control file; errors name the step, the file and the errno. */
export function writeControl(step: string, file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch (e) {
    const code = codeOf(e);
    const hint = code === 'EACCES' || code === 'EPERM' ? EPERM_HINT : undefined;
    throw syscallError(`${step} (${file} <- ${value.trim()})`, 'write', errnoOf(e), hint);
  }
}

/** mkdir, accepting an existing directory when `existOk`. */
export function makeDir(step: string, dir: string, existOk: boolean): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    if (existOk && codeOf(e) === 'EEXIST') return;
    const code = codeOf(e);
    const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? EPERM_HINT : undefined;
    throw syscallError(`${step} (${dir})`, 'mkdir', errnoOf(e), hint);
  }
}

/** A flat-keyed file ("key value" lines) as a map; empty when the file does not exist. */
export function readKeyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** The pids listed in cgroup.procs (empty when the cgroup is gone). */
export function readProcs(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A synchronous sleep, for the short waits of cleanup. */
export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Kills every process in the cgroup at `dir` and waits (up to ~2 s) until it is empty.
 * Uses cgroup.kill where the kernel has it (v2, Linux >= 5.14: no fork race); otherwise
 * SIGKILLs cgroup.procs repeatedly until nothing is left (a forking process cannot outrun
 * that for long, since every round kills what it made).
 */
export function killAll(dir: string): void {
  const killFile = `${dir}/cgroup.kill`;
  const canKill = existsSync(killFile);
  for (let round = 0; round < 200; round++) {
    const pids = readProcs(dir);
    if (pids.length === 0) return;
    if (canKill) {
      try {
        writeFileSync(killFile, '1');
      } catch {
        // The cgroup went away meanwhile.
      }
    } else {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    sleepMs(round < 10 ? 1 : 10);
  }
}

/** rmdir with retries: a cgroup whose last tasks are still exiting reports EBUSY briefly. */
export function removeDir(step: string, dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = codeOf(e);
      if (code === 'ENOENT') return;
      if (code === 'EBUSY' && attempt < 100) {
        sleepMs(attempt < 10 ? 1 : 20);
        continue;
      }
      if (code === 'EBUSY') throw setupError(step, `${dir} still has processes after SIGKILL`);
      throw syscallError(`${step} (${dir})`, 'rmdir', errnoOf(e));
    }
  }
}
