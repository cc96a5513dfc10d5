/**
 * Per-mount flags of whole mount trees (read-only, nodev, nosuid, noexec): a mount and every
 * mount below it, as the jail's filesystem needs them (./rootfs.ts).
 *
 * mount_setattr(2) with AT_RECURSIVE (Linux 5.12, fs/namespace.c do_mount_setattr) changes a
 * whole tree in one call that no concurrent mount can slip past. Older kernels get a bind
 * remount of each visible mount of the tree (the flags given, plus the ones each mount already
 * has: a bind remount sets the per-mount flags exactly as passed). That fallback finds the tree
 * by mount id in /proc/self/mountinfo, because paths alone are ambiguous while a copy of the
 * host's tree is stacked on "/" (both trees then show the same mount points).
 */
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { errno, libc } from '../ffi.js';
import { setupError, syscallError } from '../launch-error.js';
import {
  AT_FDCWD,
  AT_RECURSIVE,
  MOUNT_ATTR_NODEV,
  MOUNT_ATTR_NOEXEC,
  MOUNT_ATTR_NOSUID,
  MOUNT_ATTR_RDONLY,
  MOUNT_ATTR_SIZE_VER0,
  MS_BIND,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_RDONLY,
  MS_REMOUNT,
  syscallNumber,
} from '../linux.js';
import { preservedFlags, readMountinfo, type MountEntry } from './mountinfo.js';

/** Flags to add to every mount of a tree (none is ever removed). */
export interface TreeFlags {
  readonly readOnly?: boolean;
  readonly nodev?: boolean;
  readonly nosuid?: boolean;
  readonly noexec?: boolean;
}

const ENOSYS = 38;

function mountAttrs(f: TreeFlags): number {
  return (f.readOnly ? MOUNT_ATTR_RDONLY : 0) | (f.nodev ? MOUNT_ATTR_NODEV : 0) | (f.nosuid ? MOUNT_ATTR_NOSUID : 0) | (f.noexec ? MOUNT_ATTR_NOEXEC : 0);
}

function msFlags(f: TreeFlags): number {
  return (f.readOnly ? MS_RDONLY : 0) | (f.nodev ? MS_NODEV : 0) | (f.nosuid ? MS_NOSUID : 0) | (f.noexec ? MS_NOEXEC : 0);
}

/** mount_setattr(AT_FDCWD, path, AT_RECURSIVE?, {attr_set}); false when the kernel lacks it. */
function setAttrs(step: string, path: string, flags: TreeFlags, recursive: boolean): boolean {
  const nr = syscallNumber('mount_setattr');
  if (nr === undefined) return false;
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; } in host byte order.
  const attr = new BigUint64Array([BigInt(mountAttrs(flags)), 0n, 0n, 0n]);
  const ret = Number(
    libc().syscall(nr, 'int', AT_FDCWD, 'const char *', path, 'unsigned int', recursive ? AT_RECURSIVE : 0, 'void *', new Uint8Array(attr.buffer), 'size_t', MOUNT_ATTR_SIZE_VER0),
  );
  if (ret === 0) return true;
  const e = errno();
  if (e === ENOSYS) return false;
  throw syscallError(step, 'mount_setattr', e);
}

/** The id of the mount `path` is on (field mnt_id of /proc/self/fdinfo). */
function mountIdOf(step: string, path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw syscallError(step, 'open', Math.abs((e as { errno?: number }).errno ?? 0));
  }
  try {
    const m = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    if (!m) throw syscallError(step, 'read /proc/self/fdinfo', 0);
    return Number(m[1]);
  } finally {
    closeSync(fd);
  }
}

/** The mounts of the tree whose top mount has id `rootId`, as paths under `path`, parents first. */
export function treeUnder(entries: readonly MountEntry[], rootId: number, path: string): Array<{ target: string; options: readonly string[] }> {
  const top = entries.find((e) => e.id === rootId);
  if (!top) return [];
  const inTree = new Set([rootId]);
  // Kernel order lists a parent before its children.
  const visible = new Map<string, readonly string[]>([[path, top.options]]);
  const prefix = top.mountPoint === '/' ? '' : top.mountPoint;
  for (const e of entries) {
    if (e.id === rootId || !inTree.has(e.parent)) continue;
    inTree.add(e.id);
    const rel = e.mountPoint.slice(prefix.length);
    visible.set(rel === '' ? path : `${path === '/' ? '' : path}${rel}`, e.options);
  }
  return [...visible].map(([target, options]) => ({ target, options }));
}

/** Adds `flags` to the mount at `path` and, when `recursive`, to every mount below it. */
export function setTreeFlags(step: string, path: string, flags: TreeFlags, recursive = true): void {
  if (setAttrs(step, path, flags, recursive)) return;
  const tree = treeUnder(readMountinfo(), mountIdOf(step, path), path);
  if (tree.length === 0) throw setupError(step, `${path} is not in /proc/self/mountinfo`);
  for (const m of recursive ? tree : tree.slice(0, 1)) {
    if (libc().mount(null, m.target, null, MS_REMOUNT | MS_BIND | msFlags(flags) | preservedFlags(m.options), null) !== 0) {
      throw syscallError(`${step} (${m.target})`, 'mount', errno());
    }
  }
}
