/**
 * Capabilities (`--cap-drop`, `--cap-add`): which of root's capabilities the command may have.
 * What execve grants is bounded by the bounding set (capabilities(7): P'(permitted) =
 * (P(inheritable) & F(inheritable)) | (F(permitted) & P(bounding)), with root's file sets
 * treated as full), so the init stage drops every other capability from the bounding set
 * (PR_CAPBSET_DROP, which needs CAP_SETPCAP: before the uid change), from the inheritable set
 * (capset) and clears the ambient set; with --uid the command then has at most these too.
 * Names follow <linux/capability.h>, with or without CAP_, in any case; `all` means every one.
 */
import { errno, libc } from '../ffi.js';
import { syscallError } from '../launch-error.js';

/** <linux/capability.h>, in number order (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40). */
export const CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

const PR_CAPBSET_DROP = 24;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;
const EINVAL = 22;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

export class CapabilityError extends Error {
  override readonly name = 'CapabilityError';
}

/** `all` or a comma-separated list of names -> capability numbers (sorted, unique). */
export function parseCapabilities(option: string, text: string): number[] {
  if (text.trim().toLowerCase() === 'all') return CAPABILITIES.map((_, i) => i);
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toUpperCase().replace(/^CAP_/, '');
    const n = CAPABILITIES.indexOf(name);
    if (n < 0) throw new CapabilityError(`${option} ${text}: unknown capability "${raw.trim()}" (names as in capabilities(7), e.g. NET_RAW or CAP_SYS_ADMIN, or all)`);
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * What a root command keeps by default: Docker's default set (moby oci/caps/defaults.go), so
 * neither mount, module loading, raw I/O, ptrace, open_by_handle_at (DAC_READ_SEARCH) nor
 * the other administration capabilities reach the command unless asked for.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE',
  'NET_RAW', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP',
];

const ALL = CAPABILITIES.map((_, i) => i);

/**
 * The capabilities to keep, from the default set and `--cap-drop`/`--cap-add` lists (docker's
 * rules: `--cap-add all` starts from every capability less the drops; otherwise additions win
 * over drops).
 */
export function keptCapabilities(drop: readonly number[], add: readonly number[]): number[] {
  const dropped = new Set(drop);
  if (add.length === ALL.length) return ALL.filter((n) => !dropped.has(n));
  const kept = new Set(DEFAULT_CAPABILITIES.map((name) => CAPABILITIES.indexOf(name)).filter((n) => !dropped.has(n)));
  for (const n of add) kept.add(n);
  return [...kept].sort((a, b) => a - b);
}

/** "NET_RAW SYS_ADMIN" / "none", for --verbose and `jail ps`. */
export function describeCapabilities(keep: readonly number[]): string {
  return keep.length === 0 ? 'none' : keep.map((n) => CAPABILITIES[n] ?? String(n)).join(' ');
}

/** Limits the bounding, inheritable and ambient sets to `keep` (every capability the kernel has). */
export function limitCapabilities(step: string, keep: readonly number[]): void {
  const c = libc();
  const kept = new Set(keep);
  // Capabilities newer than this table are never in `keep`: dropping anything drops them too.
  for (let n = 0; n < 64; n++) {
    if (kept.has(n)) continue;
    if (c.prctl(PR_CAPBSET_DROP, n, 0, 0, 0) !== 0) {
      if (errno() === EINVAL) break; // past the kernel's last capability
      throw syscallError(step, `prctl(PR_CAPBSET_DROP, ${CAPABILITIES[n] ?? n})`, errno());
    }
  }
  if (c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) !== 0 && errno() !== EINVAL) {
    throw syscallError(step, 'prctl(PR_CAP_AMBIENT_CLEAR_ALL)', errno());
  }
  // struct __user_cap_header_struct { u32 version; int pid; } and two
  // struct __user_cap_data_struct { u32 effective, permitted, inheritable; }, in host byte order.
  const header = new Uint32Array([LINUX_CAPABILITY_VERSION_3, 0]);
  const data = new Uint32Array(6);
  const bytes = (a: Uint32Array) => new Uint8Array(a.buffer);
  if (c.capget(bytes(header), bytes(data)) !== 0) throw syscallError(step, 'capget', errno());
  for (let w = 0; w < 2; w++) {
    let mask = 0;
    for (const n of kept) if (n >> 5 === w) mask |= 1 << (n & 31);
    data[w * 3 + 2] = (data[w * 3 + 2]! & mask) >>> 0; // only the inheritable set changes here
  }
  if (c.capset(bytes(header), bytes(data)) !== 0) throw syscallError(step, 'capset', errno());
}
