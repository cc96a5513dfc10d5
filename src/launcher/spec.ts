/**
 * What a jail run is, as plain data: `JailSpec` is what the CLI builds from its options and
 * the supervisor runs; `InitConfig` is the part that crosses into the init stage (a separate
 * Node process inside the new namespaces) as one JSON line on its fd 3. `fs` is set up by
 * ./filesystem/rootfs.ts, `enter` (joining a running jail) by ./init/enter-steps.ts.
 */
import type { CgroupLimits } from './cgroups/cgroups.js';
import type { ArgSelector, NotifyMode } from './seccomp/notify-session.js';
import type { UsernsSupport } from './userns.js';

/**
 * The namespaces of a run. `pid` is unshared by the supervisor, the rest by the init; `cgroup`
 * (on whenever the run is root's) after the command's cgroup is joined, so that cgroup is the
 * root of what the command sees of cgroups.
 */
export interface Namespaces {
  readonly pid: boolean;
  readonly mount: boolean;
  readonly net: boolean;
  readonly uts: boolean;
  readonly ipc: boolean;
  readonly cgroup: boolean;
}

export const NO_NAMESPACES: Namespaces = { pid: false, mount: false, net: false, uts: false, ipc: false, cgroup: false };
export const ALL_NAMESPACES: Namespaces = { pid: true, mount: true, net: true, uts: true, ipc: true, cgroup: true };

export interface Rlimit {
  /** RLIMIT_* number (see linux.ts RLIMITS). */
  readonly resource: number;
  /** As written: `nofile`. */
  readonly name: string;
  /** Decimal strings (u64; RLIM_INFINITY for "unlimited") so the config stays JSON. */
  readonly soft: string;
  readonly hard: string;
}

/** A seccomp filter ready to install. */
export interface SeccompFilter {
  /** How the user named it: `net-off`, `./p.bpf`. */
  readonly name: string;
  /** `struct sock_filter[]` in host byte order. */
  readonly bytes: Uint8Array;
}

/** One `--bind`, `--ro-bind` or `--tmpfs`, in command-line order (later ones may cover earlier ones). */
export type MountSpec =
  | { readonly kind: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | { readonly kind: 'tmpfs'; readonly target: string };

/**
 * The jail's filesystem, set up in its mount namespace (./filesystem/rootfs.ts): a root of its own or a
 * read-only copy of the host's, fresh /proc, /sys, /dev and /tmp, then the user's mounts.
 */
export interface FsConfig {
  /** Absolute, symlink-free host directory that becomes `/`; undefined: a read-only copy of the host's `/`. */
  readonly rootfs?: string;
  /** Targets are paths in the jail (inside `rootfs` when there is one). */
  readonly mounts: readonly MountSpec[];
  /** `--ro`: the root mount read-only after setup (a copy of the host's root always is). */
  readonly readOnly: boolean;
  /** Host directories the jail must not see (jail's own registry): hidden wherever they show in the jail. */
  readonly hidden: readonly string[];
}

/** The namespaces `jail enter` can join (`/proc/PID/ns/<name>`; pid is joined by the supervisor). */
export type NsName = 'ipc' | 'uts' | 'net' | 'pid' | 'mnt' | 'cgroup';

/** A running jail to enter: its command (host pid and start time, against pid reuse) and what to join. */
export interface EnterTarget {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat when the jail was registered. */
  readonly starttime: string;
  readonly namespaces: readonly NsName[];
  /** cgroup.procs files of the jail's cgroup. */
  readonly cgroupProcs: readonly string[];
}

/**
 * What both stages know of the command: the supervisor's JailSpec and the init stage's
 * InitConfig extend it, so a field of the command is declared (and documented) once.
 */
export interface CommandSpec {
  /** argv of the command; argv[0] is looked up on the command's PATH. */
  readonly argv: readonly string[];
  /** The command's environment, `KEY=VALUE`. */
  readonly env: readonly string[];
  /** `--cwd`: must exist in the jail. */
  readonly cwd?: string;
  /** Without --cwd: the caller's directory, kept where the jail has it (else `/`). */
  readonly defaultCwd?: string;
  readonly namespaces: Namespaces;
  readonly hostname: string;
  readonly rlimits: readonly Rlimit[];
  readonly uid?: number;
  readonly gid?: number;
  /** Capability numbers the command may keep (`--cap-drop`/`--cap-add`); undefined: unchanged. */
  readonly capabilities?: readonly number[];
  readonly verbose: boolean;
  /** Root filesystem and mounts (needs the mount namespace); undefined: none. */
  readonly fs?: FsConfig;
  /** `jail enter`: join this running jail instead of creating namespaces and a cgroup. */
  readonly enter?: EnterTarget;
}

export interface JailSpec extends CommandSpec {
  readonly limits: CgroupLimits;
  /** Create a cgroup even without limits (to find and kill leftover processes): true as root. */
  readonly cgroup: boolean;
  /** undefined = `--no-seccomp`. */
  readonly filter?: SeccompFilter;
  /** Seconds; undefined = none. */
  readonly timeout?: number;
  /** Seconds between SIGTERM and SIGKILL, for the timeout and for forwarded signals a PID 1 ignores. */
  readonly killAfter: number;
  /** Not root: the namespaces come with a user namespace made by util-linux helpers (./userns.ts). */
  readonly rootless?: UsernsSupport;
  /** Not root, with limits: the cgroup v2 directory delegated to the user (./cgroups/cgroup-delegated.ts). */
  readonly delegatedCgroup?: string;
  /**
   * Answer the filter's calls in the supervisor (./seccomp/notify-worker.ts): `learn` records every call
   * (the filter is then the learn filter), `denials` every errno the policy gives. `selectors`:
   * the calls whose argument is recorded per value. `filter`: what the init stage installs in
   * place of `filter.bytes`, its calls handed to the supervisor (./seccomp/notify-filter.ts),
   * made once by whoever chose the mode.
   */
  readonly notify?: { readonly mode: NotifyMode; readonly selectors: readonly ArgSelector[]; readonly filter: Uint8Array };
}

/**
 * The fields of a JailSpec that stay with the supervisor. A record of every one of them, so
 * that a field added to JailSpec must be placed here or in CommandSpec before this compiles:
 * nothing reaches the init stage by accident.
 */
const SUPERVISOR_ONLY: Readonly<Record<Exclude<keyof JailSpec, keyof CommandSpec>, true>> = {
  limits: true,
  cgroup: true,
  filter: true,
  timeout: true,
  killAfter: true,
  rootless: true,
  delegatedCgroup: true,
  notify: true,
};

/** The CommandSpec part of a JailSpec: what the init stage gets of it. */
export function commandSpec(spec: JailSpec): CommandSpec {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !Object.hasOwn(SUPERVISOR_ONLY, k))) as unknown as CommandSpec;
}

/** What the init stage needs: everything done inside the namespaces, in order. */
export interface InitConfig extends CommandSpec {
  /** Files to write "0" into to join the run's cgroup (cgroup.procs of each hierarchy). */
  readonly cgroupProcs: readonly string[];
  /** The filter as base64, or undefined. */
  readonly filter?: string;
  /**
   * The fd that holds jail's stderr, to become the init's fd 2 as soon as it has its
   * configuration: in a rootless run fd 2 starts as a pipe that catches what unshare says.
   */
  readonly stderrFd?: number;
  /**
   * Install the filter with a listener for the supervisor: say NOTIFY_LINE on the status
   * channel, install, then wait for the supervisor's go-ahead (it has taken the listener).
   */
  readonly notify?: boolean;
  /** Write EXEC_LINE on the status channel right before execve (where another process holds the channel open, so its closing says nothing). */
  readonly announceExec?: boolean;
}

/** The status line of an init stage about to execve the command (InitConfig.announceExec). */
export const EXEC_LINE = '{"exec":true}';
/** The status line of an init stage about to install a filter with a listener (InitConfig.notify). */
export const NOTIFY_LINE = '{"notify":true}';
