/**
 * The jail's filesystem, set up by the init stage inside its new mount namespace (after
 * `mount --make-rprivate /`, so nothing here propagates to the host). The root is either
 * `--rootfs DIR` or, by default, a copy of the host's whole mount tree made read-only; the
 * same steps then build the rest in it (the order runc and bubblewrap use):
 *
 *   1. the new root: DIR bound onto itself (pivot_root needs a mount point), or the host's "/"
 *      bound recursively on top of "/" itself (no directory of the host is needed: "/.." then
 *      leads into the copy), which is then made read-only; both nodev, recursively, so no
 *      device node the jail creates or finds there opens a device;
 *   2. the copy's /proc, /dev, /sys, /tmp and /run (host root only) detached, so none of the
 *      host's mounts below them (cgroup filesystems, sockets of host daemons in /run) stays;
 *   3. a procfs for the jail's pid namespace on /proc;
 *   4. a minimal /dev: a nodev tmpfs with bind mounts of the host's null, zero, full, random,
 *      urandom and tty (each its own mount: the only device nodes that open), a devpts
 *      `newinstance` on /dev/pts with /dev/ptmx -> pts/ptmx, a tmpfs on /dev/shm, and the
 *      fd, stdin, stdout, stderr links into /proc/self/fd;
 *   5. a fresh sysfs, read-only (it shows the jail's network namespace; no cgroup mounts);
 *   6. tmpfs on /tmp (and on /run for the host's root);
 *   7. the user's --bind, --ro-bind, --rw and --tmpfs, in command-line order, all nodev;
 *   8. pivot_root(".", ".") from the new root, then umount2(".", MNT_DETACH) of the old root
 *      stacked on top (the sequence pivot_root(2) documents): no host path is reachable;
 *   9. the kernel's files under /proc and /sys frozen or masked (./kernel-masks.ts), jail's
 *      own registry hidden where it shows;
 *  10. `--ro`: the root mount remounted read-only (mounts under it keep their own mode).
 *
 * Mount points missing in DIR are created in it (as runc does), resolved inside DIR so that
 * a symlink in the tree cannot point jail at the host's files (./path-in-root.ts). In the
 * host's read-only copy, only in the tmpfs mounts jail made there (/tmp, /run).
 */
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errno, libc } from '../ffi.js';
import { maskKernelFiles, maskPath } from './kernel-masks.js';
import { setupError, syscallError } from '../launch-error.js';
import { MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC, syscallNumber } from '../linux.js';
import { setTreeFlags } from './mount-tree.js';
import { PathInRootError, resolveInRoot } from './path-in-root.js';
import type { FsConfig, MountSpec } from '../spec.js';

export const STEP = 'root filesystem';

/** Device nodes bound from the host's /dev into the jail's. */
export const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;
const DEV_LINKS: ReadonlyArray<readonly [string, string]> = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  ['ptmx', 'pts/ptmx'],
];

/** Directories of the new root whose old contents are detached and replaced (/run: host root only). */
const REPLACED = ['proc', 'dev', 'sys', 'tmp'] as const;

type Log = (step: string, detail: string) => void;

/**
 * Where the new root is while it is built: DIR, or "." (the working directory) for the host's
 * copy. Missing mount points are created in it: in DIR, or in the tmpfs mounts jail made in
 * the copy (the copy itself is read-only, and the CLI checked that targets exist on the host).
 */
interface NewRoot {
  readonly base: string;
}

function mount(what: string, source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
  if (libc().mount(source, target, fstype, flags, data) !== 0) throw syscallError(`${STEP} (${what})`, 'mount', errno());
}

function fsCall(what: string, syscall: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw syscallError(`${STEP} (${what})`, syscall, Math.abs((e as { errno?: number }).errno ?? 0));
  }
}

/** Creates a missing mount point: a directory, or an empty file to bind a file onto. */
function makeMountPoint(path: string, directory: boolean): void {
  if (existsSync(path)) return;
  fsCall(`create mount point ${path}`, 'mkdir', () => mkdirSync(directory ? path : dirname(path), { recursive: true, mode: 0o755 }));
  if (!directory) fsCall(`create mount point ${path}`, 'open', () => writeFileSync(path, '', { flag: 'wx', mode: 0o644 }));
}

function inRoot(root: NewRoot, path: string): string {
  try {
    return resolveInRoot(root.base, path);
  } catch (e) {
    if (e instanceof PathInRootError) throw setupError(STEP, e.message);
    throw e;
  }
}

const EPERM = 1;

/**
 * A fresh procfs or sysfs on `target`. In a user namespace the kernel allows them only for
 * namespaces that user namespace owns (a pid namespace for procfs, a network namespace for
 * sysfs): without them (a rootless --no-pid or --share-net run) the host's is bound instead,
 * read-only and with the same masks.
 */
function freshOrHost(what: string, fstype: string, target: string, flags: number, host: string, log: Log): void {
  if (libc().mount(fstype, target, fstype, flags, null) === 0) return;
  if (errno() !== EPERM) throw syscallError(`${STEP} (${what})`, 'mount', errno());
  log(STEP, `${what}: not allowed here, the host's ${host} read-only instead`);
  mount(`bind ${host}`, host, target, null, MS_BIND | MS_REC, null);
  setTreeFlags(`${STEP} (read-only ${host})`, target, { readOnly: host === '/sys', nodev: true, nosuid: true, noexec: true });
}

/** Detaches every mount stacked at `path` (with what is below them). */
function detachAll(path: string): void {
  while (libc().umount2(path, MNT_DETACH) === 0);
}

function userMount(m: MountSpec, root: NewRoot, log: Log): void {
  const target = inRoot(root, m.target);
  if (m.kind === 'tmpfs') {
    log(STEP, `tmpfs on ${m.target}`);
    makeMountPoint(target, true);
    mount(`tmpfs on ${m.target}`, 'tmpfs', target, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=0755');
    return;
  }
  log(STEP, `${m.readOnly ? 'read-only ' : ''}bind ${m.source} on ${m.target}`);
  makeMountPoint(target, statSync(m.source).isDirectory());
  mount(`bind ${m.source} on ${m.target}`, m.source, target, null, MS_BIND | MS_REC, null);
  setTreeFlags(`${STEP} (bind ${m.source} on ${m.target})`, target, { nodev: true, readOnly: m.readOnly });
}

function mountDev(root: NewRoot, log: Log): void {
  const dev = inRoot(root, '/dev');
  log(STEP, `/dev: tmpfs, ${DEV_NODES.join(' ')} bound from the host, pts (newinstance), shm`);
  makeMountPoint(dev, true);
  mount('tmpfs on /dev', 'tmpfs', dev, 'tmpfs', MS_NOSUID | MS_NOEXEC | MS_NODEV, 'mode=0755');
  for (const node of DEV_NODES) {
    if (!existsSync(`/dev/${node}`)) continue; // A host without it (some containers lack /dev/tty).
    fsCall(`create /dev/${node}`, 'open', () => writeFileSync(`${dev}/${node}`, '', { flag: 'wx', mode: 0o666 }));
    mount(`bind /dev/${node}`, `/dev/${node}`, `${dev}/${node}`, null, MS_BIND, null);
  }
  fsCall('create /dev/pts', 'mkdir', () => mkdirSync(`${dev}/pts`));
  mount('devpts on /dev/pts', 'devpts', `${dev}/pts`, 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620');
  fsCall('create /dev/shm', 'mkdir', () => mkdirSync(`${dev}/shm`));
  mount('tmpfs on /dev/shm', 'shm', `${dev}/shm`, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777');
  for (const [name, target] of DEV_LINKS) fsCall(`link /dev/${name}`, 'symlink', () => symlinkSync(target, `${dev}/${name}`));
}

function pivotRoot(root: NewRoot, log: Log): void {
  log(STEP, `pivot_root, detach the old root`);
  const nr = syscallNumber('pivot_root');
  if (nr === undefined) throw setupError(STEP, `pivot_root(2) number unknown on ${process.arch}`);
  fsCall(`chdir ${root.base}`, 'chdir', () => process.chdir(root.base));
  const c = libc();
  if (Number(c.syscall(nr, 'const char *', '.', 'const char *', '.')) !== 0) throw syscallError(`${STEP} (pivot_root)`, 'pivot_root', errno());
  if (c.umount2('.', MNT_DETACH) !== 0) throw syscallError(`${STEP} (detach the old root)`, 'umount2', errno());
  fsCall('chdir /', 'chdir', () => process.chdir('/'));
}

/** Step 1: the new root, entered or named. */
function newRoot(fs: FsConfig, log: Log): NewRoot {
  if (fs.rootfs !== undefined) {
    const root = fs.rootfs;
    log(STEP, `bind ${root} onto itself, nodev`);
    mount(`bind ${root} onto itself`, root, root, null, MS_BIND | MS_REC, null);
    setTreeFlags(`${STEP} (nodev ${root})`, root, { nodev: true });
    return { base: root };
  }
  log(STEP, "a copy of the host's mounts, read-only and nodev");
  mount("copy the host's /", '/', '/', null, MS_BIND | MS_REC, null);
  // The process's root is still the mount below the copy; ".." of it is the copy's root.
  fsCall('enter the copy', 'chdir', () => process.chdir('/..'));
  setTreeFlags(`${STEP} (read-only copy of /)`, '.', { readOnly: true, nodev: true });
  return { base: '.' };
}

/** Host identities of the hidden directories, taken before the host's tree goes away. */
function identities(paths: readonly string[]): Array<{ path: string; dev: number; ino: number }> {
  const out: Array<{ path: string; dev: number; ino: number }> = [];
  for (const path of paths) {
    try {
      const st = statSync(path);
      if (st.isDirectory()) out.push({ path, dev: st.dev, ino: st.ino });
    } catch {
      // Not there: nothing to hide.
    }
  }
  return out;
}

/** Sets up the jail's filesystem per `fs` (see the file comment for the order). */
export function setUpFilesystem(fs: FsConfig, log: Log): void {
  const hidden = identities(fs.hidden);
  const root = newRoot(fs, log);
  const replaced = fs.rootfs === undefined && existsSync('./run') ? [...REPLACED, 'run'] : [...REPLACED];
  for (const dir of replaced) detachAll(inRoot(root, `/${dir}`));
  const proc = inRoot(root, '/proc');
  log(STEP, 'procfs on /proc');
  makeMountPoint(proc, true);
  freshOrHost('procfs on /proc', 'proc', proc, MS_NOSUID | MS_NODEV | MS_NOEXEC, '/proc', log);
  mountDev(root, log);
  const sys = inRoot(root, '/sys');
  log(STEP, 'sysfs on /sys, read-only');
  if (fs.rootfs !== undefined) makeMountPoint(sys, true);
  if (existsSync(sys)) freshOrHost('sysfs on /sys', 'sysfs', sys, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, '/sys', log);
  for (const dir of replaced.filter((d) => d === 'tmp' || d === 'run')) {
    const path = inRoot(root, `/${dir}`);
    log(STEP, `tmpfs on /${dir}`);
    if (fs.rootfs !== undefined) makeMountPoint(path, true);
    if (existsSync(path)) mount(`tmpfs on /${dir}`, 'tmpfs', path, 'tmpfs', MS_NOSUID | MS_NODEV, dir === 'tmp' ? 'mode=1777' : 'mode=0755');
  }
  for (const m of fs.mounts) userMount(m, root, log);
  pivotRoot(root, log);
  const { frozen, masked } = maskKernelFiles();
  log(STEP, `read-only ${frozen.join(' ')}; masked ${masked.join(' ')}`);
  for (const h of hidden) {
    let st;
    try {
      st = statSync(h.path);
    } catch {
      continue;
    }
    if (st.dev === h.dev && st.ino === h.ino && maskPath(h.path)) log(STEP, `hidden ${h.path}`);
  }
  if (fs.readOnly && fs.rootfs !== undefined) {
    log(STEP, 'read-only /');
    setTreeFlags(`${STEP} (read-only /)`, '/', { readOnly: true }, false);
  }
}

/** One line for --verbose: what setUpFilesystem will do. */
export function describeFilesystem(fs: FsConfig): string {
  const parts: string[] = [
    fs.rootfs !== undefined
      ? `root ${fs.rootfs}${fs.readOnly ? ' read-only' : ''} (nodev) with fresh /proc /sys (read-only) /dev /tmp`
      : "the host's / read-only (nodev) with fresh /proc /sys (read-only) /dev, private /tmp and /run",
  ];
  for (const m of fs.mounts) {
    parts.push(m.kind === 'tmpfs' ? `tmpfs ${m.target}` : `${m.readOnly ? 'ro-bind' : 'bind'} ${m.source}:${m.target}`);
  }
  parts.push('kernel files in /proc and /sys read-only or masked');
  return parts.join(', ');
}
