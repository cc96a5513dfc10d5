/**
 * The jail's filesystem, set up by the init stage inside its new mount namespace (after
 * `mount --make-rprivate /`, so nothing here propagates to the host):
 *
 * With `--rootfs DIR` (the order runc and bubblewrap use):
 *   1. bind DIR onto itself (recursively): pivot_root needs the new root to be a mount point;
 *   2. a procfs for the jail's pid namespace on DIR/proc;
 *   3. a minimal /dev: a tmpfs with bind mounts of the host's null, zero, full, random,
 *      urandom and tty (binds, not mknod, so no device node is created anywhere), a devpts
 *      `newinstance` on /dev/pts with /dev/ptmx -> pts/ptmx, a tmpfs on /dev/shm, and the
 *      fd, stdin, stdout, stderr links into /proc/self/fd;
 *   4. a tmpfs on /tmp;
 *   5. the user's --bind, --ro-bind and --tmpfs, in command-line order;
 *   6. pivot_root(".", ".") from DIR, then umount2(".", MNT_DETACH) of the old root stacked on
 *      top (the sequence pivot_root(2) documents): no host path is reachable afterwards;
 *   7. `--ro`: the root mount remounted read-only (mounts under it keep their own mode).
 * Without `--rootfs`, only 5 and 7 run, on the host's tree as this mount namespace sees it.
 *
 * Mount points missing in DIR are created in it (as runc does), resolved inside DIR so that
 * a symlink in the tree cannot point jail at the host's files (./path-in-root.ts). Without
 * `--rootfs` nothing is created: the CLI requires the targets to exist.
 * Read-only binds are a bind then a bind remount with MS_RDONLY of the mount and of every
 * mount under it, repeating each one's nosuid/nodev/noexec/atime flags (./mountinfo.ts).
 */
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errno, libc } from './ffi.js';
import { setupError, syscallError } from './launch-error.js';
import {
  MNT_DETACH,
  MS_BIND,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_RDONLY,
  MS_REC,
  MS_REMOUNT,
  syscallNumber,
} from './linux.js';
import { mountsUnder, preservedFlags, readMountinfo } from './mountinfo.js';
import { PathInRootError, resolveInRoot } from './path-in-root.js';
import type { FsConfig, MountSpec } from './spec.js';

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

type Log = (step: string, detail: string) => void;

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

/** Bind remount read-only of `target` and, when `recursive`, of every mount below it. */
export function remountReadOnly(target: string, recursive: boolean): void {
  const entries = mountsUnder(readMountinfo(), target);
  // The visible (last) mount at each mount point; parents before children.
  const visible = new Map<string, readonly string[]>();
  for (const e of entries) if (recursive || e.mountPoint === target) visible.set(e.mountPoint, e.options);
  if (!visible.has(target)) throw setupError(`${STEP} (read-only ${target})`, 'not a mount point in /proc/self/mountinfo');
  for (const [point, options] of visible) {
    mount(`read-only ${point}`, null, point, null, MS_REMOUNT | MS_BIND | MS_RDONLY | preservedFlags(options), null);
  }
}

function inRoot(root: string | undefined, path: string): string {
  if (root === undefined) return path;
  try {
    return resolveInRoot(root, path);
  } catch (e) {
    if (e instanceof PathInRootError) throw setupError(STEP, e.message);
    throw e;
  }
}

function userMount(m: MountSpec, root: string | undefined, log: Log): void {
  const target = inRoot(root, m.target);
  if (m.kind === 'tmpfs') {
    log(STEP, `tmpfs on ${m.target}`);
    if (root !== undefined) makeMountPoint(target, true);
    mount(`tmpfs on ${m.target}`, 'tmpfs', target, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=0755');
    return;
  }
  log(STEP, `${m.readOnly ? 'read-only ' : ''}bind ${m.source} on ${m.target}`);
  if (root !== undefined) makeMountPoint(target, statSync(m.source).isDirectory());
  mount(`bind ${m.source} on ${m.target}`, m.source, target, null, MS_BIND | MS_REC, null);
  if (m.readOnly) remountReadOnly(target, true);
}

function mountDev(root: string, log: Log): void {
  const dev = inRoot(root, '/dev');
  log(STEP, `/dev: tmpfs, ${DEV_NODES.join(' ')} bound from the host, pts (newinstance), shm`);
  makeMountPoint(dev, true);
  mount('tmpfs on /dev', 'tmpfs', dev, 'tmpfs', MS_NOSUID | MS_NOEXEC, 'mode=0755');
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

function pivotRoot(root: string, log: Log): void {
  log(STEP, `pivot_root to ${root}, detach the old root`);
  const nr = syscallNumber('pivot_root');
  if (nr === undefined) throw setupError(STEP, `pivot_root(2) number unknown on ${process.arch}`);
  fsCall(`chdir ${root}`, 'chdir', () => process.chdir(root));
  const c = libc();
  if (Number(c.syscall(nr, 'const char *', '.', 'const char *', '.')) !== 0) throw syscallError(`${STEP} (pivot_root)`, 'pivot_root', errno());
  if (c.umount2('.', MNT_DETACH) !== 0) throw syscallError(`${STEP} (detach the old root)`, 'umount2', errno());
  fsCall('chdir /', 'chdir', () => process.chdir('/'));
}

/** Sets up the jail's filesystem per `fs` (see the file comment for the order). */
export function setUpFilesystem(fs: FsConfig, log: Log): void {
  const root = fs.rootfs;
  if (root !== undefined) {
    log(STEP, `bind ${root} onto itself`);
    mount(`bind ${root} onto itself`, root, root, null, MS_BIND | MS_REC, null);
    const proc = inRoot(root, '/proc');
    log(STEP, 'procfs on /proc');
    makeMountPoint(proc, true);
    mount('procfs on /proc', 'proc', proc, 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
    mountDev(root, log);
    const tmp = inRoot(root, '/tmp');
    log(STEP, 'tmpfs on /tmp');
    makeMountPoint(tmp, true);
    mount('tmpfs on /tmp', 'tmpfs', tmp, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777');
  }
  for (const m of fs.mounts) userMount(m, root, log);
  if (root !== undefined) pivotRoot(root, log);
  if (fs.readOnly) {
    log(STEP, 'read-only /');
    remountReadOnly('/', false);
  }
}

/** One line for --verbose: what setUpFilesystem will do. */
export function describeFilesystem(fs: FsConfig): string {
  const parts: string[] = [];
  if (fs.rootfs !== undefined) parts.push(`root ${fs.rootfs} with /proc /dev /tmp`);
  for (const m of fs.mounts) {
    parts.push(m.kind === 'tmpfs' ? `tmpfs ${m.target}` : `${m.readOnly ? 'ro-bind' : 'bind'} ${m.source}:${m.target}`);
  }
  if (fs.readOnly) parts.push('read-only /');
  return parts.join(', ');
}
