/**
 * Importing a profile: text or value -> read (profile.ts) -> the engine's resolution
 * (resolve.ts) -> runc's and libseccomp's semantics (lower.ts) -> PolicyIR, with every problem
 * collected as a diagnostic.
 */
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import type { PolicyIR } from '../ir/types.js';
import { hostArch } from '../syscalls/index.js';
import type { ArchName } from '../syscalls/arch.js';
import { DiagnosticSink, type OciDiagnostic } from './diagnostic.js';
import { filterArches, lowerProfile } from './lower.js';
import { parseKernelVersion, readOciProfile, readOciProfileValue, type OciProfile } from './profile.js';
import { DOCKER_DEFAULT_CAPS, normalizeCapability, resolveForEngine } from './resolve.js';


export interface OciImportOptions {
  /**
   * The container's bounding capabilities, for `includes.caps`/`excludes.caps` (CAP_SYS_ADMIN,
   * SYS_ADMIN or sys_admin; 'ALL' for every capability). Default: Docker's default set
   * (DOCKER_DEFAULT_CAPS).
   */
  readonly caps?: readonly string[];
  /** Kernel version for `minKernel` ("6.1"). Default: the running kernel. */
  readonly kernel?: string;
  /**
   * The native arch: picks the archMap entry, matches `includes.arches`, and is always in the
   * filter (runc adds it). Default: the host's arch.
   */
  readonly arch?: ArchName;
}

export interface OciImportResult {
  /** Undefined when there are errors among the diagnostics. */
  readonly ir: PolicyIR | undefined;
  readonly diagnostics: readonly OciDiagnostic[];
  /** The arches the filter covers, native first. */
  readonly arches: readonly ArchName[];
}

/**
 * Imports a profile: JSON text (diagnostics then carry line:column) or an already parsed value.
 * Never throws for a bad profile: problems are in `diagnostics`.
 */
export function importOciProfile(profile: string | object, options: OciImportOptions = {}): OciImportResult {
  const sink = new DiagnosticSink();
  const parsed: OciProfile | undefined = typeof profile === 'string' ? readOciProfile(profile, sink) : readOciProfileValue(profile, sink);
  const native = options.arch ?? hostArch().name;
  if (!parsed) return { ir: undefined, diagnostics: sink.list, arches: [] };
  const kernelText = options.kernel ?? release();
  const kernel = parseKernelVersion(kernelText);
  if (!kernel) {
    sink.error('oci-bad-kernel-version', '', undefined, `kernel version '${kernelText}' is not like "6.1"`);
    return { ir: undefined, diagnostics: sink.list, arches: [] };
  }
  const caps = new Set((options.caps ?? DOCKER_DEFAULT_CAPS).map(normalizeCapability));
  if (caps.has('CAP_ALL')) for (const c of ALL_CAPS) caps.add(c);
  const resolved = resolveForEngine(parsed, { native, caps, kernel }, sink);
  const arches = filterArches(native, resolved, sink);
  const ir = sink.hasErrors ? undefined : lowerProfile(parsed, resolved, arches, sink);
  return { ir: sink.hasErrors ? undefined : ir, diagnostics: sink.list, arches };
}

/** Reads and imports a profile file. Throws only when the file cannot be read. */
export async function loadOciFile(path: string, options: OciImportOptions = {}): Promise<OciImportResult> {
  return importOciProfile(await readFile(path, 'utf8'), options);
}

/** include/uapi/linux/capability.h, CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40). */
const ALL_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];
