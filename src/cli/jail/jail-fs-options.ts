/**
 * jail's filesystem options -> FsConfig, checked before anything starts (exit 125, one line):
 * `--rootfs DIR`, `--bind SRC[:DST]`, `--ro-bind SRC[:DST]`, `--rw PATH`, `--tmpfs DST`, `--ro`.
 * The mount options keep their relative command-line order (a later mount may cover an
 * earlier one), so they are collected by one shared list rather than one array per option.
 * Sources are host paths and must exist; targets are absolute paths in the jail. Without
 * `--rootfs` the jail's root is a read-only copy of the host's and the targets must exist:
 * jail creates mount points only inside a root filesystem it was given.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { FsConfig, MountSpec } from '../../launcher/spec.js';

export class FsOptionError extends Error {
  override readonly name = 'FsOptionError';
}

export type MountOption = '--bind' | '--ro-bind' | '--rw' | '--tmpfs';

export interface RawMount {
  readonly option: MountOption;
  readonly value: string;
}

/** The option-table entries (vercel/arg handlers) that append to `into` in order. */
export function fsArgs(into: RawMount[]) {
  const collect = (option: MountOption) => (value: string) => {
    into.push({ option, value });
    return into.length;
  };
  return {
    '--rootfs': String,
    '--bind': collect('--bind'),
    '--ro-bind': collect('--ro-bind'),
    '--rw': collect('--rw'),
    '--tmpfs': collect('--tmpfs'),
    '--ro': Boolean,
  };
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function parseMount(raw: RawMount, rootfs: string | undefined, cwd: string): MountSpec {
  const what = `${raw.option} ${raw.value}`;
  const checkTarget = (target: string, directory: boolean) => {
    if (!isAbsolute(target)) throw new FsOptionError(`${what}: the target ${target} must be an absolute path (in the jail)`);
    if (resolve(target) === '/') throw new FsOptionError(`${what}: cannot mount over the jail's root (use --rootfs DIR for a root of your own)`);
    if (rootfs !== undefined) return;
    const st = statOf(target);
    if (!st) throw new FsOptionError(`${what}: ${target} does not exist (jail creates mount points only inside --rootfs)`);
    if (directory && !st.isDirectory()) throw new FsOptionError(`${what}: ${target} is not a directory`);
  };
  if (raw.option === '--tmpfs') {
    checkTarget(raw.value, true);
    return { kind: 'tmpfs', target: resolve(raw.value) };
  }
  if (raw.option === '--rw') {
    // The same path on both sides: `--rw .` makes the working directory writable.
    const source = resolve(cwd, raw.value);
    if (!statOf(source)) throw new FsOptionError(`${what}: ${source}: no such file or directory`);
    checkTarget(source, false);
    return { kind: 'bind', source, target: source, readOnly: false };
  }
  const colon = raw.value.indexOf(':');
  const sourceText = colon < 0 ? raw.value : raw.value.slice(0, colon);
  const target = colon < 0 ? sourceText : raw.value.slice(colon + 1);
  if (sourceText === '' || target === '') throw new FsOptionError(`${what}: expected SRC:DST or SRC`);
  const source = resolve(cwd, sourceText);
  if (!statOf(source)) throw new FsOptionError(`${what}: ${source}: no such file or directory`);
  checkTarget(target, false);
  return { kind: 'bind', source, target: resolve(target), readOnly: raw.option === '--ro-bind' };
}

/**
 * The FsConfig for these options: undefined without a mount namespace (then any of these
 * options is an error; `mountNs`/`root` say whether there is one and why not). `hidden`: host
 * directories the jail must not see (its registry).
 */
export function parseFsOptions(
  opts: { readonly rootfs?: string; readonly mounts: readonly RawMount[]; readonly readOnly: boolean },
  mountNs: boolean,
  /** Whether the run has namespaces at all (root, or a user namespace). */
  root: boolean,
  cwd: string = process.cwd(),
  hidden: readonly string[] = [],
): FsConfig | undefined {
  const given = opts.rootfs !== undefined || opts.mounts.length > 0 || opts.readOnly;
  if (!given && !mountNs) return undefined;
  const first = opts.rootfs !== undefined ? '--rootfs' : (opts.mounts[0]?.option ?? '--ro');
  if (!mountNs) {
    throw new FsOptionError(root ? `${first} needs the mount namespace (drop --no-mount)` : `${first} needs a mount namespace (drop --no-namespaces)`);
  }
  let rootfs: string | undefined;
  if (opts.rootfs !== undefined) {
    const dir = resolve(cwd, opts.rootfs);
    const st = statOf(dir);
    if (!st) throw new FsOptionError(`--rootfs ${opts.rootfs}: no such directory`);
    if (!st.isDirectory()) throw new FsOptionError(`--rootfs ${opts.rootfs}: not a directory`);
    rootfs = realpathSync(dir);
    if (rootfs === '/') throw new FsOptionError(`--rootfs ${opts.rootfs}: that is the host's root (use --ro, --ro-bind or --tmpfs on it instead)`);
  }
  return { rootfs, mounts: opts.mounts.map((m) => parseMount(m, rootfs, cwd)), readOnly: opts.readOnly, hidden };
}
