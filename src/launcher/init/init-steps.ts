/**
 * The init stage's setup, as an ordered list of named steps (the nsjail `contain.cc` model):
 * it runs inside the new pid namespace as PID 1 (a Node process started by the supervisor),
 * sets everything up, and execve()s the command in place. Each step says when it applies.
 *
 * Order matters:
 *  - parent-death signal first (the command dies with the supervisor), re-armed after the
 *    uid change, which clears it (kernel/cred.c commit_creds);
 *  - namespaces, then mounts (private before /proc, so nothing propagates to the host);
 *  - the cgroup is joined late, after everything that allocates, so Node's start-up memory
 *    stays charged where it was and `--memory 10M` is for the command alone;
 *  - capabilities are limited before the uid change (PR_CAPBSET_DROP needs CAP_SETPCAP);
 *  - the seccomp filter is last before execve, so no setup syscall runs under it.
 *  - the cgroup's files are opened before the root filesystem is set up (pivot_root makes
 *    /sys/fs/cgroup unreachable) and written to when joining.
 * The root filesystem (pivot_root, /dev, bind mounts; ../filesystem/rootfs.ts) comes after the
 * mount namespace is private, in place of "mount /proc". `jail enter` runs its own list
 * (./enter-steps.ts) that reuses the later steps by name.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { errno, libc } from '../ffi.js';
import { execCommand, pathOf, prepareFds, resolveCommand } from './exec.js';
import { setupError, syscallError } from '../launch-error.js';
import { CLONE_NEWCGROUP, MSG_DONTWAIT, MSG_PEEK, PR_SET_PDEATHSIG } from '../linux.js';
import { bringUpLoopback, describeCloneFlags, initCloneFlags, makeMountsPrivate, setHostname, unshareNamespaces } from './namespaces.js';
import { applyRlimit } from './rlimits.js';
import { describeCapabilities, limitCapabilities } from './capabilities.js';
import { describeFilesystem, setUpFilesystem } from '../filesystem/rootfs.js';
import { installFilter } from '../seccomp/seccomp-install.js';
import { EXEC_LINE, NOTIFY_LINE, type InitConfig, type NsName } from '../spec.js';

const SIGKILL = 9;

export interface InitContext {
  /** The status channel to the supervisor (the init's fd 3). */
  readonly statusFd: number;
  /** Called before each step that applies, for --verbose. */
  readonly log: (step: string, detail: string) => void;
}

/** A namespace file `jail enter` opened, to join later. */
export interface NamespaceFd {
  readonly name: NsName;
  readonly type: number;
  readonly fd: number;
}

/** What steps hand on to later steps: each returns its part, runInit passes the sum on. */
export interface StepResults {
  /** From "resolve command". */
  readonly commandPath?: string;
  /** From "open cgroup files": cgroup.procs of each hierarchy, opened for writing. */
  readonly cgroupFds?: readonly number[];
  /** From "open namespaces" (`jail enter`). */
  readonly namespaceFds?: readonly NamespaceFd[];
}

export interface InitStep {
  readonly name: string;
  readonly when: (c: InitConfig) => boolean;
  /** What the step does with this config, for --verbose; absent for steps that run under the filter. */
  readonly describe?: (c: InitConfig, results: StepResults) => string;
  readonly run: (c: InitConfig, ctx: InitContext, results: StepResults) => Partial<StepResults> | void;
}

function armParentDeathSignal(step: string, statusFd: number): void {
  if (libc().prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) !== 0) throw syscallError(step, 'prctl(PR_SET_PDEATHSIG)', errno());
  // If the supervisor died before the signal was armed, nobody will send it: its end of the
  // status channel is then closed, and a peek reads end-of-file (0).
  if (libc().recv(statusFd, Buffer.alloc(1), 1, MSG_PEEK | MSG_DONTWAIT) === 0) {
    throw setupError(step, 'the supervisor (jail) exited during setup');
  }
}

function openCgroupFiles(c: InitConfig): Partial<StepResults> {
  const cgroupFds = c.cgroupProcs.map((file) => {
    try {
      return openSync(file, 'w');
    } catch (e) {
      throw syscallError(`open cgroup files (${file})`, 'open', Math.abs((e as { errno?: number }).errno ?? 0));
    }
  });
  return { cgroupFds };
}

/**
 * The filter with a listener the supervisor takes (../seccomp/notify-fd.ts). Everything after the
 * install may wait on that listener, so the init stage says beforehand that it is coming, and
 * then only waits for the supervisor's word (a denied read still returns, once answered).
 */
function installWithListener(c: InitConfig, ctx: InitContext): void {
  writeSync(ctx.statusFd, `${NOTIFY_LINE}\n`);
  installFilter('install seccomp filter', Buffer.from(c.filter!, 'base64'), true);
  try {
    readSync(ctx.statusFd, Buffer.alloc(1), 0, 1, null);
  } catch {
    // Answered with an errno: the supervisor has the listener all the same.
  }
}

export const INIT_STEPS: readonly InitStep[] = [
  {
    name: 'parent-death signal',
    when: () => true,
    describe: () => 'prctl(PR_SET_PDEATHSIG, SIGKILL)',
    run: (_c, ctx) => armParentDeathSignal('parent-death signal', ctx.statusFd),
  },
  {
    name: 'unshare namespaces',
    when: (c) => initCloneFlags(c.namespaces) !== 0,
    describe: (c) => describeCloneFlags(initCloneFlags(c.namespaces)),
    run: (c) => unshareNamespaces('unshare namespaces', initCloneFlags(c.namespaces)),
  },
  {
    name: 'make mounts private',
    when: (c) => c.namespaces.mount,
    describe: () => 'mount --make-rprivate /',
    run: () => makeMountsPrivate('make mounts private'),
  },
  {
    name: 'open cgroup files',
    when: (c) => c.cgroupProcs.length > 0,
    describe: (c) => c.cgroupProcs.join(' '),
    run: (c) => openCgroupFiles(c),
  },
  {
    name: 'set up filesystem',
    when: (c) => c.fs !== undefined,
    describe: (c) => describeFilesystem(c.fs!),
    run: (c, ctx) => setUpFilesystem(c.fs!, ctx.log),
  },
  {
    name: 'set hostname',
    when: (c) => c.namespaces.uts,
    describe: (c) => c.hostname,
    run: (c) => setHostname('set hostname', c.hostname),
  },
  {
    name: 'bring up lo',
    when: (c) => c.namespaces.net,
    describe: () => 'SIOCSIFFLAGS IFF_UP',
    run: () => bringUpLoopback('bring up lo'),
  },
  {
    name: 'set rlimits',
    when: (c) => c.rlimits.length > 0,
    describe: (c) => c.rlimits.map((r) => `${r.name}=${r.soft}:${r.hard}`).join(' '),
    run: (c) => c.rlimits.forEach((r) => applyRlimit('set rlimit', r)),
  },
  {
    name: 'join cgroup',
    when: (c) => c.cgroupProcs.length > 0,
    describe: (c) => c.cgroupProcs.join(' '),
    run: (c, _ctx, r) => {
      const fds = r.cgroupFds ?? [];
      c.cgroupProcs.forEach((file, i) => {
        try {
          writeSync(fds[i]!, '0');
          closeSync(fds[i]!);
        } catch (e) {
          throw syscallError(`join cgroup (${file})`, 'write', Math.abs((e as { errno?: number }).errno ?? 0));
        }
      });
    },
  },
  {
    name: 'unshare cgroup namespace',
    when: (c) => c.namespaces.cgroup,
    describe: () => "the command's cgroup becomes its cgroup root",
    run: () => unshareNamespaces('unshare cgroup namespace', CLONE_NEWCGROUP),
  },
  {
    name: 'limit capabilities',
    when: (c) => c.capabilities !== undefined,
    describe: (c) => `bounding, inheritable and ambient sets: ${describeCapabilities(c.capabilities!)}`,
    run: (c) => limitCapabilities('limit capabilities', c.capabilities!),
  },
  {
    name: 'drop privileges',
    when: (c) => c.uid !== undefined || c.gid !== undefined,
    describe: (c) => `gid ${c.gid ?? '-'} uid ${c.uid ?? '-'}, no supplementary groups`,
    run: (c, ctx) => {
      try {
        // POSIX-only in Node's types; glibc applies them to every thread (its setxid broadcast).
        process.setgroups!([]);
        if (c.gid !== undefined) process.setgid!(c.gid);
        if (c.uid !== undefined) process.setuid!(c.uid);
      } catch (e) {
        throw setupError('drop privileges', (e as Error).message);
      }
      armParentDeathSignal('drop privileges', ctx.statusFd);
    },
  },
  {
    name: 'change directory',
    when: (c) => c.cwd !== undefined || c.defaultCwd !== undefined,
    describe: (c) => c.cwd ?? `${c.defaultCwd} (or / if the jail has no such directory)`,
    run: (c, ctx) => {
      try {
        process.chdir(c.cwd ?? c.defaultCwd!);
      } catch (e) {
        if (c.cwd === undefined) return ctx.log('change directory', `${c.defaultCwd} is not in the jail: /`);
        throw syscallError(`change directory to ${c.cwd}`, 'chdir', Math.abs((e as { errno?: number }).errno ?? 0));
      }
    },
  },
  {
    name: 'resolve command',
    when: () => true,
    describe: (c) => c.argv[0] ?? '',
    run: (c) => ({ commandPath: resolveCommand('resolve command', c.argv[0] ?? '', pathOf(c.env)) }),
  },
  {
    name: 'prepare file descriptors',
    when: () => true,
    describe: () => 'fds 0-2 inherited, the rest close-on-exec',
    run: (_c, ctx) => prepareFds(ctx.statusFd),
  },
  {
    name: 'install seccomp filter',
    when: (c) => c.filter !== undefined,
    describe: (c, r) => `${Buffer.from(c.filter ?? '', 'base64').length / 8} instructions, NO_NEW_PRIVS, TSYNC; then execve ${r.commandPath}`,
    run: (c, ctx) => {
      if (c.notify) installWithListener(c, ctx);
      else installFilter('install seccomp filter', Buffer.from(c.filter!, 'base64'));
    },
  },
  {
    name: 'execve',
    when: () => true,
    run: (c, ctx, r) => {
      if (c.announceExec) writeSync(ctx.statusFd, `${EXEC_LINE}\n`);
      execCommand('execve', r.commandPath!, c.argv, c.env);
    },
  },
];

/** The step of INIT_STEPS called `name` (for lists that reuse them, such as `jail enter`'s). */
export function initStep(name: string): InitStep {
  const step = INIT_STEPS.find((s) => s.name === name);
  if (!step) throw new Error(`no init step ${name}`);
  return step;
}

/** Runs the steps that apply, in order; returns only by throwing (execve replaces the process). */
export function runInit(config: InitConfig, ctx: InitContext, steps: readonly InitStep[] = INIT_STEPS): never {
  let results: StepResults = {};
  for (const step of steps) {
    if (!step.when(config)) continue;
    if (step.describe) ctx.log(step.name, step.describe(config, results));
    const out = step.run(config, ctx, results);
    if (out) results = { ...results, ...out };
  }
  throw setupError('execve', 'returned without executing the command');
}
