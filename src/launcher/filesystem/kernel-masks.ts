/**
 * What the jail hides or freezes of the kernel's own files under /proc and /sys, after the
 * list container runtimes apply by default (moby's oci/defaults.go MaskedPaths and
 * ReadonlyPaths; runc applies them after pivot_root, as here):
 *  - read-only: /proc/sys (sysctls: kernel.core_pattern would run a program as the host's
 *    root), /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs;
 *  - masked (an empty read-only tmpfs over a directory, /dev/null over a file): kernel memory,
 *    keys and timing side channels, and hardware interfaces.
 * Paths the running kernel does not have are skipped.
 * /proc/kallsyms stays: it shows addresses only to CAP_SYSLOG, which no default keeps.
 */
import { statSync } from 'node:fs';
import { errno, libc } from '../ffi.js';
import { syscallError } from '../launch-error.js';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC, MS_REMOUNT } from '../linux.js';

export const READ_ONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
] as const;

const STEP = 'mask kernel files';
const LOCKED = MS_NOSUID | MS_NODEV | MS_NOEXEC;

function kindOf(path: string): 'dir' | 'file' | undefined {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

function mount(path: string, source: string | null, fstype: string | null, flags: number, data: string | null): void {
  if (libc().mount(source, path, fstype, flags, data) !== 0) throw syscallError(`${STEP} (${path})`, 'mount', errno());
}

/** Hides `path`: an empty read-only tmpfs over a directory, /dev/null over a file. */
export function maskPath(path: string): boolean {
  const kind = kindOf(path);
  if (kind === undefined) return false;
  if (kind === 'dir') mount(path, 'tmpfs', 'tmpfs', MS_RDONLY | LOCKED, 'size=4k,mode=0555');
  else mount(path, '/dev/null', null, MS_BIND, null);
  return true;
}

/** Makes `path` (and what is mounted below it) read-only. */
export function freezePath(path: string): boolean {
  if (kindOf(path) === undefined) return false;
  mount(path, path, null, MS_BIND | MS_REC, null);
  mount(path, null, null, MS_REMOUNT | MS_BIND | MS_RDONLY | LOCKED, null);
  return true;
}

/** Applies both lists in the jail's root (after pivot_root); returns what it changed. */
export function maskKernelFiles(): { frozen: string[]; masked: string[] } {
  return {
    frozen: READ_ONLY_PATHS.filter(freezePath),
    masked: MASKED_PATHS.filter(maskPath),
  };
}
