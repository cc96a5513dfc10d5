/**
 * /proc/self/mountinfo as data (Documentation/filesystems/proc.rst "3.5 /proc/<pid>/mountinfo";
 * fs/proc_namespace.c show_mountinfo): which mounts lie at or under a path, and their per-mount
 * flags, so a read-only remount keeps nosuid/nodev/noexec and the atime mode (a bind remount
 * sets the per-mount flags exactly as given: fs/namespace.c do_reconfigure_mnt).
 * Mount points are relative to the reader's root, with space, tab, newline and backslash
 * escaped as octal (`\040`).
 */
import { readFileSync } from 'node:fs';
import { MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_RELATIME, MS_STRICTATIME } from '../linux.js';

export interface MountEntry {
  readonly id: number;
  readonly parent: number;
  readonly mountPoint: string;
  /** Per-mount options: `rw,nosuid,relatime`. */
  readonly options: readonly string[];
  readonly fstype: string;
  readonly source: string;
}

function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses mountinfo text, in the kernel's order (parents before children, later mounts later). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 6) continue;
    out.push({
      id: Number(left[0]),
      parent: Number(left[1]),
      mountPoint: unescape(left[4]!),
      options: left[5]!.split(','),
      fstype: unescape(right[0] ?? ''),
      source: unescape(right[1] ?? ''),
    });
  }
  return out;
}

export function readMountinfo(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The MS_* flags a bind remount must repeat to keep a mount's current per-mount options. */
export function preservedFlags(options: readonly string[]): number {
  let flags = 0;
  if (options.includes('ro')) flags |= MS_RDONLY;
  if (options.includes('nosuid')) flags |= MS_NOSUID;
  if (options.includes('nodev')) flags |= MS_NODEV;
  if (options.includes('noexec')) flags |= MS_NOEXEC;
  if (options.includes('nodiratime')) flags |= MS_NODIRATIME;
  if (options.includes('noatime')) flags |= MS_NOATIME;
  else if (options.includes('relatime')) flags |= MS_RELATIME;
  else flags |= MS_STRICTATIME;
  return flags;
}
