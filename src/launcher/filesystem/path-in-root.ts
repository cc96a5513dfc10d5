/**
 * A path inside a root filesystem, resolved as the jail will see it (as `chroot ROOT
 * realpath PATH` would): symlinks are followed component by component, an absolute link
 * target starts again at ROOT and `..` never climbs above ROOT. Mount points inside a
 * `--rootfs` tree are resolved with it before anything is created or mounted there, so a
 * symlink in the tree (`etc -> /etc`) cannot make jail mount or create files on the host's
 * paths (the problem runc's securejoin solves). A race with someone renaming the tree's
 * directories meanwhile is out of scope: the tree must not be modified while a jail starts.
 */
import { lstatSync, readlinkSync } from 'node:fs';

const MAX_LINKS = 40; // the kernel's MAXSYMLINKS (include/linux/namei.h)

export class PathInRootError extends Error {
  override readonly name = 'PathInRootError';
}

/**
 * The host path of `path` (absolute, as seen in the jail) under `root` (an absolute host
 * path without symlinks). Components that do not exist yet are kept literally.
 */
export function resolveInRoot(root: string, path: string): string {
  const pending = path.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (part === '.') continue;
    if (!missing) {
      const host = `${root}/${[...resolved, part].join('/')}`;
      let isLink = false;
      try {
        isLink = lstatSync(host).isSymbolicLink();
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
        missing = true;
      }
      if (isLink) {
        if (++links > MAX_LINKS) throw new PathInRootError(`${path}: too many symbolic links in ${root}`);
        const target = readlinkSync(host);
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== ''));
        continue;
      }
    }
    resolved.push(part);
  }
  return resolved.length === 0 ? root : `${root}/${resolved.join('/')}`;
}
