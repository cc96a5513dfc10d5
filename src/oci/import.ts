/**
 * Importing a profile: text or value -> read (profile.ts) -> the engine's resolution
 * (resolve.ts) -> runc's and libseccomp's semantics (lower.ts) -> PolicyIR, with every problem
 * collected as a diagnostic.
 */
import { readFileBounded } from '../loader/bounded-read.js';
import { release } from 'node:os';
import type { PolicyIR } from '../ir/types.js';
import { hostArch } from '../syscalls/index.js';
import type { ArchName } from '../syscalls/arch.js';
import { DiagnosticSink } from '../ir/diagnostics.js';
import type { OciCode, OciDiagnostic } from './diagnostic.js';
import { filterArches, lowerProfile } from './lower.js';
import type { SeccompFilterFlag } from '../seccomp/abi.js';
import { parseKernelVersion, readOciProfile, readOciProfileValue, type OciProfile } from './profile.js';
import { DOCKER_DEFAULT_CAPS, LINUX_CAPABILITIES, normalizeCapability, resolveForEngine, unknownCapability } from './resolve.js';


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
  /** The profile's `flags`: how runc would install the filter (seccomp(2) flags). */
  readonly flags: readonly SeccompFilterFlag[];
}

/**
 * Imports a profile: JSON text (diagnostics then carry line:column) or an already parsed value.
 * Never throws for a bad profile: problems are in `diagnostics`.
 */
export function importOciProfile(profile: string | object, options: OciImportOptions = {}): OciImportResult {
  const sink = new DiagnosticSink<OciCode>();
  const parsed: OciProfile | undefined = typeof profile === 'string' ? readOciProfile(profile, sink) : readOciProfileValue(profile, sink);
  const native = options.arch ?? hostArch().name;
  if (!parsed) return { ir: undefined, diagnostics: sink.list, arches: [], flags: [] };
  const kernelText = options.kernel ?? release();
  const kernel = parseKernelVersion(kernelText);
  if (!kernel) {
    sink.error('oci-bad-kernel-version', '', `kernel version '${kernelText}' is not like "6.1"`);
    return { ir: undefined, diagnostics: sink.list, arches: [], flags: [] };
  }
  const unknownCaps = (options.caps ?? []).map(unknownCapability).filter((m) => m !== undefined);
  for (const m of unknownCaps) sink.error('oci-unknown-capability', '', `caps: ${m}`);
  if (unknownCaps.length) return { ir: undefined, diagnostics: sink.list, arches: [], flags: [] };
  const caps = new Set((options.caps ?? DOCKER_DEFAULT_CAPS).map(normalizeCapability));
  if (caps.has('CAP_ALL')) for (const c of LINUX_CAPABILITIES) caps.add(c);
  const resolved = resolveForEngine(parsed, { native, caps, kernel }, sink);
  const arches = filterArches(native, resolved, sink);
  const ir = sink.hasErrors ? undefined : lowerProfile(parsed, resolved, arches, sink);
  return { ir: sink.hasErrors ? undefined : ir, diagnostics: sink.list, arches, flags: parsed.flags };
}

/**
 * Bytes of the largest profile file read (Docker's default profile is ~20 KiB; one entry for each
 * of 100,000 syscall rules is ~10 MiB).
 */
export const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads and imports a profile file. Throws only when the file cannot be read or is larger than
 * MAX_PROFILE_BYTES (then no more than that is read: a device like /dev/zero never ends).
 */
export async function loadOciFile(path: string, options: OciImportOptions = {}): Promise<OciImportResult> {
  const bytes = await readFileBounded(path, MAX_PROFILE_BYTES + 1);
  if (bytes.length > MAX_PROFILE_BYTES) throw new Error(`larger than ${MAX_PROFILE_BYTES / 1024 / 1024} MiB, the most seccompile reads of a seccomp profile`);
  const text = bytes.toString('utf8');
  return importOciProfile(text, options);
}
