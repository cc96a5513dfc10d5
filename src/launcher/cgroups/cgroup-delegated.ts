/**
 * Cgroup limits without root: a cgroup v2 subtree delegated to the user (systemd's
 * `Delegate=yes`: `systemd-run --user --scope -p Delegate=yes jail ...`), the way rootless
 * container runtimes use one. jail's own cgroup C must be the user's and hold jail alone:
 * jail moves itself into a child of C (cgroup v2 lets a cgroup pass controllers to its
 * children only while it holds no process itself), enables the controllers the limits need in
 * C, and makes the run's cgroup next to it, as root's jail does under the hierarchy's root:
 *
 *   C/seccompile/jail-<pid>-<start>-0         jail itself (swept once jail is gone)
 *   C/seccompile/jail-<pid>-<start>-<random>  the run, with the limits
 */
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CGROUP_BASE } from './cgroup-fs.js';
import type { Controller } from './cgroups.js';
import { setupError } from '../launch-error.js';

const STEP = 'delegated cgroup';

export type Delegation = { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly why: string };

const HOW = 'start jail in a cgroup delegated to you, alone there: systemd-run --user --scope -p Delegate=yes jail ...';

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** This process's cgroup v2 directory, if it may hold the run's cgroup with `controllers`. */
export function delegatedCgroup(v2: string | undefined, controllers: readonly Controller[], pid = process.pid): Delegation {
  if (v2 === undefined) return { ok: false, why: `no cgroup v2 hierarchy (on cgroup v1, limits need root); ${HOW}` };
  const own = /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
  if (own === undefined) return { ok: false, why: `this process is in no cgroup v2 cgroup; ${HOW}` };
  // Already moved aside by an earlier step of this run: its parent is the delegated one.
  const dir = `${v2}${own === '/' ? '' : own}`.replace(new RegExp(`/${CGROUP_BASE}/jail-${pid}-\\d+-0$`), '');
  if (!['', '/cgroup.procs', '/cgroup.subtree_control'].every((f) => writable(`${dir}${f}`))) {
    return { ok: false, why: `jail's cgroup ${dir} is not delegated to you; ${HOW}` };
  }
  let available: string[] = [];
  try {
    available = readFileSync(`${dir}/cgroup.controllers`, 'utf8').trim().split(/\s+/);
  } catch {
    // Reported below as missing controllers.
  }
  const missing = controllers.filter((c) => !available.includes(c));
  if (missing.length > 0) return { ok: false, why: `the cgroup delegated to you (${dir}) lacks the ${missing.join(', ')} controller; ask for it with -p Delegate=${controllers.join(' ')}` };
  const others = readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter((p) => p !== '' && Number(p) !== pid);
  if (others.length > 0) return { ok: false, why: `jail is not alone in ${dir} (${others.length} other process${others.length > 1 ? 'es' : ''}); ${HOW}` };
  return { ok: true, dir };
}

/** Moves this process into its own child of the delegated cgroup `dir` (see the file comment). */
export function stepAside(dir: string, starttime: string, pid = process.pid): void {
  const base = `${dir}/${CGROUP_BASE}`;
  const own = `${base}/jail-${pid}-${starttime}-0`;
  try {
    mkdirSync(base, { recursive: true });
    mkdirSync(own, { recursive: true });
    writeFileSync(`${own}/cgroup.procs`, String(pid));
  } catch (e) {
    throw setupError(STEP, `cannot move jail into ${own}: ${(e as Error).message}`);
  }
}
