/**
 * The container engine's half of turning a profile into a filter (moby profiles/seccomp
 * seccomp_linux.go setupSeccomp, containers/common pkg/seccomp): pick the archMap entry of the
 * native arch, drop the syscalls entries whose includes/excludes do not hold for this container
 * (arches: the native arch under libseccomp's name such as "amd64"; caps: the bounding set;
 * minKernel: major.minor of the kernel), one rule per name. What is left is what runc receives
 * as the runtime-spec `linux.seccomp`.
 */
import { at, type OciSink } from './diagnostic.js';
import type { KernelVersion, Located, OciArg, OciActionName, OciFilter, OciProfile } from './profile.js';
import { ARCH_NAMES, ARCH_SPECS, type ArchName } from '../syscalls/arch.js';
import { didYouMean, nearestNames } from '../syscalls/nearest.js';

/** Our arch -> SCMP_ARCH_* name (each Arch descriptor's `scmpArch`). */
export const SCMP_ARCH_OF: Readonly<Record<ArchName, string>> = Object.fromEntries(ARCH_NAMES.map((n) => [n, ARCH_SPECS[n].scmpArch])) as Record<ArchName, string>;

/** SCMP_ARCH_* names: our ArchName, or null for arches libseccomp knows and seccompile does not target. */
export const SCMP_ARCHES: Readonly<Record<string, ArchName | null>> = {
  ...Object.fromEntries(ARCH_NAMES.map((n) => [ARCH_SPECS[n].scmpArch, n])),
  ...Object.fromEntries(
    ['MIPS', 'MIPS64', 'MIPS64N32', 'MIPSEL', 'MIPSEL64', 'MIPSEL64N32', 'PPC', 'PPC64', 'S390', 'PARISC', 'PARISC64', 'RISCV32', 'M68K', 'SH', 'SHEB']
      .map((a) => `SCMP_ARCH_${a}`)
      .filter((a) => !ARCH_NAMES.some((n) => ARCH_SPECS[n].scmpArch === a))
      .map((a) => [a, null]),
  ),
};

/** libseccomp-golang's ScmpArch.String() of each arch (each descriptor's `engineArch`): what includes/excludes.arches compare with. */
export const ENGINE_ARCH_NAME: Readonly<Record<ArchName, string>> = Object.fromEntries(ARCH_NAMES.map((n) => [n, ARCH_SPECS[n].engineArch])) as Record<ArchName, string>;
const OTHER_ENGINE_ARCHES = ['mips', 'mips64', 'mips64n32', 'mipsel', 'mipsel64', 'mipsel64n32', 'ppc', 'ppc64', 's390', 'parisc', 'parisc64', 'riscv32', 'm68k', 'sh', 'sheb'].filter(
  (a) => !Object.values(ENGINE_ARCH_NAME).includes(a),
);

/** Docker's default capability set (moby oci/caps/defaults.go DefaultCapabilities). */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** include/uapi/linux/capability.h, CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40). */
export const LINUX_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * Why a capability given for the container (`--caps`) is not one, or undefined when it is (or is
 * `ALL`). A misspelt one would silently never match `includes.caps`, changing the filter.
 */
export function unknownCapability(name: string): string | undefined {
  const cap = normalizeCapability(name);
  if (cap === 'CAP_ALL' || LINUX_CAPABILITIES.includes(cap)) return undefined;
  return `unknown capability '${name}'${didYouMean(nearestNames(cap, LINUX_CAPABILITIES, 2))}`;
}

/** The engine's view of the container the profile is resolved for. */
export interface EngineContext {
  readonly native: ArchName;
  /** Bounding capability set, CAP_* names. */
  readonly caps: ReadonlySet<string>;
  readonly kernel: KernelVersion;
}

/** One name of one syscalls entry that survived includes/excludes: a runtime-spec rule. */
export interface SpecRule {
  readonly name: Located<string>;
  readonly action: OciActionName;
  readonly errnoRet?: number;
  readonly args: readonly OciArg[];
  /** Path of the syscalls entry, e.g. 'syscalls[12]'. */
  readonly entryPath: string;
  readonly entryIndex: number;
}

export interface ResolvedProfile {
  /** SCMP_ARCH_* names from `architectures` or the native archMap entry, in order. */
  readonly architectures: readonly Located<string>[];
  readonly rules: readonly SpecRule[];
}

/** moby setupSeccomp. */
export function resolveForEngine(profile: OciProfile, ctx: EngineContext, sink: OciSink): ResolvedProfile {
  let architectures: readonly Located<string>[] = profile.architectures;
  if (profile.architectures.length > 0 && profile.archMap.length > 0) {
    sink.error('oci-arches-and-archmap', 'archMap', "'architectures' and 'archMap' are both given; use one (Docker refuses the profile)");
  } else if (profile.archMap.length > 0) {
    const nativeName = SCMP_ARCH_OF[ctx.native];
    const entry = profile.archMap.find((e) => e.architecture.value === nativeName);
    if (entry) architectures = [entry.architecture, ...entry.subArchitectures];
    else sink.warning('oci-archmap-no-native', 'archMap', `no archMap entry for ${nativeName} (the native arch): the filter covers only ${ctx.native}`);
  }
  const engineArch = ENGINE_ARCH_NAME[ctx.native];
  const rules: SpecRule[] = [];
  profile.syscalls.forEach((call, entryIndex) => {
    checkFilter(call.includes, sink);
    checkFilter(call.excludes, sink);
    if (!applies(call.includes, call.excludes, engineArch, ctx)) return;
    for (const name of call.names) {
      rules.push({
        name,
        action: call.action,
        ...(call.errnoRet !== undefined ? { errnoRet: call.errnoRet } : {}),
        args: call.args,
        entryPath: call.path,
        entryIndex,
      });
    }
  });
  return { architectures, rules };
}

function applies(inc: OciFilter, exc: OciFilter, engineArch: string, ctx: EngineContext): boolean {
  if (exc.arches.some((a) => a.value === engineArch)) return false;
  if (exc.caps.some((c) => ctx.caps.has(c.value))) return false;
  if (exc.minKernel && kernelAtLeast(ctx.kernel, exc.minKernel.value)) return false;
  if (inc.arches.length > 0 && !inc.arches.some((a) => a.value === engineArch)) return false;
  if (inc.caps.some((c) => !ctx.caps.has(c.value))) return false;
  if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel.value)) return false;
  return true;
}

/** Names that can never match are almost always mistakes: say so (the engine silently ignores them). */
function checkFilter(f: OciFilter, sink: OciSink): void {
  const known = [...Object.values(ENGINE_ARCH_NAME), ...OTHER_ENGINE_ARCHES];
  for (const a of f.arches) {
    if (!known.includes(a.value)) {
      sink.warning('oci-unknown-engine-arch', a.path, `'${a.value}' never matches: the engine compares with libseccomp's arch names (${Object.values(ENGINE_ARCH_NAME).join(', ')}, ...)`, at(a.pos));
    }
  }
  for (const c of f.caps) {
    if (!/^CAP_[A-Z_]+$/.test(c.value)) {
      sink.warning('oci-cap-name', c.path, `'${c.value}' never matches: capabilities are compared as written, like CAP_SYS_ADMIN`, at(c.pos));
    }
  }
}

/** moby kernelGreaterEqualThan: only major.minor count. */
export function kernelAtLeast(current: KernelVersion, min: KernelVersion): boolean {
  return current.major > min.major || (current.major === min.major && current.minor >= min.minor);
}

/** "sys_admin", "SYS_ADMIN", "cap_sys_admin" -> "CAP_SYS_ADMIN". */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}
