/**
 * The registry of named jails (`jail --name NAME`), read by `jail ps`, `jail enter` and
 * `jail stop`: one directory per jail in the state directory,
 *
 *   <state>/<name>/jail.json    JailEntry (rewritten atomically: write jail.json.new, rename)
 *   <state>/<name>/filter.bpf   the seccomp filter the jail runs under (for `jail enter`)
 *
 * where <state> is $SECCOMPILE_STATE_DIR, else /run/seccompile as root (tmpfs: gone after a
 * reboot, as the jails are), else $XDG_RUNTIME_DIR/seccompile or /tmp/seccompile-<uid>.
 * Directories are 0700, files 0600 (the entry holds the command line).
 *
 * A name is claimed atomically: the entry is written into a fresh `.new-*` directory that is
 * then renamed to <name> (rename(2) onto a non-empty directory fails, so of two runs with the
 * same name exactly one wins). An entry belongs to its supervisor (the `jail` process: pid
 * and start time, which survive pid reuse); the supervisor removes it when the run ends, and
 * every jail, ps, enter and stop invocation sweeps entries whose supervisor is gone (kill -9).
 * A stale entry is first renamed aside and checked again before it is deleted, so a sweep
 * racing with a new run of the same name never deletes the new run's entry.
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { CgroupLimits } from '../cgroups/cgroups.js';
import { setupError } from '../launch-error.js';
import type { NsName, Rlimit } from '../spec.js';

export const STATE_DIR_ENV = 'SECCOMPILE_STATE_DIR';

/** A process identity that survives pid reuse: pid plus field 22 of /proc/PID/stat. */
export interface ProcessId {
  readonly pid: number;
  readonly starttime: string;
}

export interface JailEntry {
  readonly name: string;
  /** `starting` until the command has been executed (its pid and namespaces are then set). */
  readonly state: 'starting' | 'running';
  /** The `jail` process that owns the entry. */
  readonly supervisor: ProcessId;
  /** The command (PID 1 of the jail's pid namespace), as the host sees it. */
  readonly command?: ProcessId;
  /** Namespaces of the jail's own, with their ids (`net:[4026532481]`). */
  readonly namespaces: Partial<Record<NsName, string>>;
  readonly cgroup?: { readonly version: 1 | 2; readonly dirs: readonly string[]; readonly procsFiles: readonly string[] };
  /** The policy as named on the command line; undefined: --no-seccomp. */
  readonly policy?: string;
  readonly argv: readonly string[];
  /** Milliseconds since the epoch. */
  readonly started: number;
  readonly limits: CgroupLimits;
  readonly hostname: string;
  readonly rootfs?: string;
  readonly rlimits: readonly Rlimit[];
  readonly uid?: number;
  readonly gid?: number;
  /** Capabilities the command kept (`--cap-drop`); undefined: unchanged. `jail enter` keeps the same. */
  readonly capabilities?: readonly number[];
  /** Run without root, in a user namespace of its own. */
  readonly rootless?: boolean;
}

/** Where the registry lives (see the file comment). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[STATE_DIR_ENV];
  if (fromEnv) return fromEnv;
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/seccompile';
  return env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/seccompile` : `${tmpdir()}/seccompile-${uid}`;
}

/** pid, start time and state letter of a process, or undefined when there is none. */
function statOf(pid: number | 'self'): { starttime: string; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, starttime: fields[19]! };
  } catch {
    return undefined;
  }
}

export function selfId(): ProcessId {
  return { pid: process.pid, starttime: statOf('self')?.starttime ?? '0' };
}

export function processId(pid: number): ProcessId | undefined {
  const s = statOf(pid);
  return s && { pid, starttime: s.starttime };
}

/** Whether the process still runs (same start time, not a zombie waiting to be reaped). */
export function isAlive(id: ProcessId): boolean {
  const s = statOf(id.pid);
  return s !== undefined && s.starttime === id.starttime && s.state !== 'Z' && s.state !== 'X';
}

function readEntryAt(dir: string): JailEntry | undefined {
  try {
    return JSON.parse(readFileSync(`${dir}/jail.json`, 'utf8')) as JailEntry;
  } catch {
    return undefined;
  }
}

function writeEntryAt(dir: string, entry: JailEntry): void {
  writeFileSync(`${dir}/jail.json.new`, JSON.stringify(entry, null, 1) + '\n', { mode: 0o600 });
  renameSync(`${dir}/jail.json.new`, `${dir}/jail.json`);
}

function randomTag(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
}

/** `.new-<pid>-<starttime>-<random>`, `.gone-...`: scratch directories of a process. */
const SCRATCH = /^\.(new|gone)-(\d+)-(\d+)-[0-9a-f]+$/;

function scratchName(kind: 'new' | 'gone'): string {
  const me = selfId();
  return `.${kind}-${me.pid}-${me.starttime}-${randomTag()}`;
}

/** Removes `<state>/<name>` if its owner is gone, without ever removing a live entry. */
function removeIfStale(state: string, name: string): boolean {
  const path = `${state}/${name}`;
  const entry = readEntryAt(path);
  if (entry && isAlive(entry.supervisor)) return false;
  const aside = `${state}/${scratchName('gone')}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // Someone else moved or removed it.
  }
  const moved = readEntryAt(aside);
  if (moved && isAlive(moved.supervisor)) {
    // A new run claimed the name between the check and the rename: give it back.
    try {
      renameSync(aside, path);
    } catch {
      // The name was claimed again meanwhile; the aside copy stays until its owner is gone.
    }
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/** Removes entries (and scratch directories) whose owner is gone; returns the removed names. */
export function sweepStale(state: string = stateDir()): string[] {
  let names: string[];
  try {
    names = readdirSync(state);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const scratch = SCRATCH.exec(name);
    if (scratch) {
      if (!isAlive({ pid: Number(scratch[2]), starttime: scratch[3]! })) rmSync(`${state}/${name}`, { recursive: true, force: true });
    } else if (removeIfStale(state, name)) removed.push(name);
  }
  return removed;
}

/** The live entry called `name`, or undefined. */
export function readJail(name: string, state: string = stateDir()): JailEntry | undefined {
  const entry = readEntryAt(`${state}/${name}`);
  return entry && isAlive(entry.supervisor) ? entry : undefined;
}

/** The filter a jail runs under, or undefined when it runs without one. */
export function readJailFilter(name: string, state: string = stateDir()): Uint8Array | undefined {
  try {
    return readFileSync(`${state}/${name}/filter.bpf`);
  } catch {
    return undefined;
  }
}

/** Every live entry, by name. */
export function listJails(state: string = stateDir()): JailEntry[] {
  let names: string[];
  try {
    names = readdirSync(state);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .map((n) => readJail(n, state))
    .filter((e): e is JailEntry => e !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A claimed name: its owner updates the entry once the command runs, and releases it at the end. */
export interface Claim {
  readonly path: string;
  update(change: Partial<JailEntry>): void;
  release(): void;
}

const STEP = 'register jail';

/** Claims `entry.name` (throws naming the live jail on a clash) and writes the entry and filter. */
export function claimName(entry: JailEntry, filter: Uint8Array | undefined, state: string = stateDir()): Claim {
  try {
    mkdirSync(state, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw setupError(STEP, `cannot create the state directory ${state}: ${(e as Error).message}`);
  }
  sweepStale(state);
  const fresh = `${state}/${scratchName('new')}`;
  const path = `${state}/${entry.name}`;
  try {
    mkdirSync(fresh, { mode: 0o700 });
    if (filter) writeFileSync(`${fresh}/filter.bpf`, filter, { mode: 0o600 });
    writeEntryAt(fresh, entry);
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    throw setupError(STEP, `cannot write to the state directory ${state}: ${(e as Error).message}`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(fresh, path);
      break;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 3 && removeIfStale(state, entry.name)) continue;
      rmSync(fresh, { recursive: true, force: true });
      const live = readJail(entry.name, state);
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        const pid = live?.command?.pid ?? live?.supervisor.pid;
        throw setupError(STEP, `a jail named ${entry.name} is already running${pid ? ` (pid ${pid})` : ''}; stop it with jail stop ${entry.name} or choose another --name`);
      }
      throw setupError(STEP, `cannot register ${path}: ${(e as Error).message}`);
    }
  }
  let current = entry;
  return {
    path,
    update(change) {
      current = { ...current, ...change };
      writeEntryAt(path, current);
    },
    release() {
      const now = readEntryAt(path);
      if (now && (now.supervisor.pid !== entry.supervisor.pid || now.supervisor.starttime !== entry.supervisor.starttime)) return;
      const aside = `${state}/${scratchName('gone')}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch {
        // Already swept.
      }
    },
  };
}

/** The ids of a process's namespaces: `{ net: 'net:[4026532481]', ... }`. */
export function namespaceIds(pid: number, names: readonly NsName[]): Partial<Record<NsName, string>> {
  const out: Partial<Record<NsName, string>> = {};
  for (const n of names) {
    try {
      out[n] = readlinkSync(`/proc/${pid}/ns/${n}`);
    } catch {
      // The process is gone; the entry is swept with it.
    }
  }
  return out;
}
