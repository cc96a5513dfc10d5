/**
 * `jail enter`, the init stage's side: the step list that joins a running jail (what nsenter
 * and `docker exec` do), started by the supervisor inside the jail's pid namespace
 * (./enter.ts). It reuses the run's later steps by name, so the entered command gets the
 * same rlimits, cgroup, user, file descriptors, filter and execve as the jail's own command.
 *
 *  1. open /proc/PID/ns/{ipc,uts,net,mnt} of the jail's command while the host's /proc is
 *     still visible, then check PID's start time (the files belong to the registered process);
 *  2. open the cgroup's cgroup.procs files (host paths, unreachable once in the jail's root);
 *  3. setns ipc, uts, net; then unshare(CLONE_FS) and setns mnt, last. A mount namespace
 *     can only be joined by a thread that owns its fs_struct (fs/namespace.c mntns_install:
 *     `fs->users != 1` is EINVAL), and Node's threads share one: without unshare(CLONE_FS)
 *     setns fails with EINVAL. Joining sets root and cwd to the namespace's root, which after
 *     the jail's pivot_root is its --rootfs;
 *  4. rlimits, join the cgroup, drop privileges (the jail's --uid/--gid), chdir (--cwd, or /),
 *     resolve the command on its PATH inside the jail, fds, NO_NEW_PRIVS + the jail's filter,
 *     execve.
 */
import { closeSync, openSync } from 'node:fs';
import { checkTarget } from './enter.js';
import { errno, libc } from '../ffi.js';
import { initStep, type InitStep, type NamespaceFd, type StepResults } from './init-steps.js';
import { syscallError } from '../launch-error.js';
import { CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS } from '../linux.js';
import type { InitConfig, NsName } from '../spec.js';

/** The namespaces the init stage joins, in order (pid is the supervisor's; mnt last). */
const JOIN_ORDER: ReadonlyArray<readonly [NsName, number]> = [
  ['ipc', CLONE_NEWIPC],
  ['uts', CLONE_NEWUTS],
  ['net', CLONE_NEWNET],
  ['mnt', CLONE_NEWNS],
  // After the cgroup is joined (its own step): a move between cgroups is checked against it.
  ['cgroup', CLONE_NEWCGROUP],
];

const toJoin = (c: InitConfig) => JOIN_ORDER.filter(([n]) => c.enter?.namespaces.includes(n));

function openNamespaces(c: InitConfig): Partial<StepResults> {
  const step = 'open namespaces';
  const target = c.enter!;
  const fds = toJoin(c).map(([name, type]) => {
    try {
      return { name, type, fd: openSync(`/proc/${target.pid}/ns/${name}`, 'r') };
    } catch (e) {
      checkTarget(step, target);
      throw syscallError(`${step} (/proc/${target.pid}/ns/${name})`, 'open', Math.abs((e as { errno?: number }).errno ?? 0));
    }
  });
  checkTarget(step, target);
  return { namespaceFds: fds };
}

function enterNamespaces(fds: readonly NamespaceFd[], only?: NsName): void {
  const c = libc();
  for (const { name, type, fd } of fds.filter((f) => (only === undefined ? f.name !== 'cgroup' : f.name === only))) {
    const step = `enter namespaces (${name})`;
    if (type === CLONE_NEWNS && c.unshare(CLONE_FS) !== 0) throw syscallError(step, 'unshare(CLONE_FS)', errno());
    if (c.setns(fd, type) !== 0) throw syscallError(step, 'setns', errno());
    closeSync(fd);
  }
}

export const ENTER_STEPS: readonly InitStep[] = [
  initStep('parent-death signal'),
  {
    name: 'open namespaces',
    when: (c) => toJoin(c).length > 0,
    describe: (c) => toJoin(c).map(([n]) => `/proc/${c.enter!.pid}/ns/${n}`).join(' '),
    run: openNamespaces,
  },
  initStep('open cgroup files'),
  {
    name: 'enter namespaces',
    when: (c) => toJoin(c).length > 0,
    describe: (c) =>
      toJoin(c)
        .filter(([n]) => n !== 'cgroup')
        .map(([n]) => (n === 'mnt' ? 'unshare(CLONE_FS) + setns mnt' : `setns ${n}`))
        .join(', '),
    run: (_c, _ctx, r) => enterNamespaces(r.namespaceFds ?? []),
  },
  initStep('set rlimits'),
  initStep('join cgroup'),
  {
    name: 'enter cgroup namespace',
    when: (c) => c.enter?.namespaces.includes('cgroup') ?? false,
    describe: (c) => `setns /proc/${c.enter!.pid}/ns/cgroup`,
    run: (_c, _ctx, r) => enterNamespaces(r.namespaceFds ?? [], 'cgroup'),
  },
  initStep('limit capabilities'),
  initStep('drop privileges'),
  {
    name: 'change directory',
    when: () => true,
    describe: (c) => c.cwd ?? '/',
    run: (c) => {
      try {
        process.chdir(c.cwd ?? '/');
      } catch (e) {
        throw syscallError(`change directory to ${c.cwd ?? '/'}`, 'chdir', Math.abs((e as { errno?: number }).errno ?? 0));
      }
    },
  },
  initStep('resolve command'),
  initStep('prepare file descriptors'),
  initStep('install seccomp filter'),
  initStep('execve'),
];
