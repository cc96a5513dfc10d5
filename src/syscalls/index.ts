/**
 * The Arch descriptors of every architecture we target, built from the generated tables
 * (./tables.ts), and the lookups policies, the compiler and the CLI use: name <-> number per
 * arch, the arch behind a seccomp_data (audit arch + the x32 bit), the host's arch and its
 * compat ABIs, and "did you mean" suggestions for unknown names.
 *
 * Invariants: `Arch.syscalls` holds raw seccomp_data.nr values (x32 numbers include
 * __X32_SYSCALL_BIT); `names` is its exact inverse (no two names share a number on one arch);
 * a multiplexer is present exactly where the tables list `socketcall`/`ipc`.
 */
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../seccomp/abi.js';
import { ARCH_NAMES, ARCH_SPECS, hostArchNameOf, isArchName, type Arch, type ArchName, type ArchSpec, type Multiplexer, type NrSpan } from './arch.js';
import { didYouMean, nearestNames } from './nearest.js';
import { IPC_CALL_MASK, IPC_CALLS, SOCKETCALL_CALL_MASK, SOCKETCALL_CALLS } from './multiplexers.js';
import { PNR, SYSCALL_TABLE, TABLE_ARCHES, type SyscallName } from './tables.js';

export type { Arch, ArchName, ArchSpec, Multiplexer, NrSpan } from './arch.js';
export { ARCH_NAMES, ARCH_SPECS, isArchName } from './arch.js';
export { TABLE_SOURCE, type SyscallName } from './tables.js';
export { IPC_CALL, IPC_CALLS, SOCKETCALL, SOCKETCALL_CALLS } from './multiplexers.js';
export { groupSyscalls, groupSyscallsOn, isGroupName, unknownGroupMessage, GROUP_NAMES, SYSCALL_GROUPS, type GroupName, type SyscallGroup } from './group.js';

function buildArch(name: ArchName): Arch {
  const spec = ARCH_SPECS[name];
  const column = 1 + TABLE_ARCHES.indexOf(name);
  const pairs: [string, number][] = [];
  for (const row of SYSCALL_TABLE) {
    const nr = row[column] as number;
    if (nr !== PNR) pairs.push([row[0], (spec.nrBase + nr) >>> 0]);
  }
  pairs.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const syscalls = new Map(pairs);
  const names = new Map(pairs.map(([n, nr]) => [nr, n]));
  if (names.size !== pairs.length) throw new Error(`syscall tables: two names share a number on ${name}`);
  const multiplexers: Multiplexer[] = [];
  const socketcall = syscalls.get('socketcall');
  if (socketcall !== undefined) {
    multiplexers.push({ syscall: 'socketcall', nr: socketcall, callMask: SOCKETCALL_CALL_MASK, calls: SOCKETCALL_CALLS });
  }
  const ipc = syscalls.get('ipc');
  if (ipc !== undefined) multiplexers.push({ syscall: 'ipc', nr: ipc, callMask: IPC_CALL_MASK, calls: IPC_CALLS });
  return Object.freeze({
    name,
    auditArch: spec.auditArch,
    endian: spec.endian,
    wordSize: spec.wordSize,
    nrBase: spec.nrBase,
    ...(spec.privateNrBase !== undefined ? { privateNrBase: spec.privateNrBase } : {}),
    syscalls,
    names,
    maxNr: pairs[pairs.length - 1]![1],
    knownNrs: Object.freeze(knownSpans(name, spec, pairs.map(([, nr]) => nr))),
    multiplexers: Object.freeze(multiplexers),
    cloneFlagsArg: spec.cloneFlagsArg ?? 0,
  });
}

/** Arch.knownNrs from the sorted table numbers: the regular span, then the private one. */
function knownSpans(name: ArchName, spec: ArchSpec, nrs: readonly number[]): NrSpan[] {
  const base = spec.privateNrBase;
  const regular = base === undefined ? nrs : nrs.filter((nr) => nr < base);
  const spans: NrSpan[] = [{ start: spec.nrBase, end: regular[regular.length - 1]! + 1 }];
  if (base !== undefined) {
    if (regular.length === nrs.length) throw new Error(`syscall tables: no ${name} call at or above its private base 0x${base.toString(16)}`);
    spans.push({ start: base, end: nrs[nrs.length - 1]! + 1 });
  }
  return spans;
}

/**
 * Every arch we target, by name. Each is built from the table on first use (a getter that keeps
 * the result): a compile for x86_64 + x86 + x32 does not pay for the other six.
 */
export const ARCHES: Readonly<Record<ArchName, Arch>> = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(
      ARCH_NAMES.map((n) => {
        let built: Arch | undefined;
        return [n, { enumerable: true, get: (): Arch => (built ??= buildArch(n)) }];
      }),
    ),
  ) as Record<ArchName, Arch>,
);

/** Other spellings accepted by archByName (each arch's `aliases`): Node's process.arch, Debian and kernel names. */
export const ARCH_ALIASES: Readonly<Record<string, ArchName>> = Object.freeze(
  Object.fromEntries(ARCH_NAMES.flatMap((n) => ARCH_SPECS[n].aliases.map((alias) => [alias, n]))),
);

/** The Arch for a name or alias ('x86_64', 'arm64', ...), undefined when unknown. */
export function archByName(name: string): Arch | undefined {
  if (isArchName(name)) return ARCHES[name];
  const alias = Object.hasOwn(ARCH_ALIASES, name) ? ARCH_ALIASES[name] : undefined;
  return alias ? ARCHES[alias] : undefined;
}

/** 'unknown arch 'arm46' (did you mean arm64?); known: x86_64, x86, ...' */
export function unknownArchMessage(name: string): string {
  const hint = didYouMean(nearestNames(name, [...ARCH_NAMES, ...Object.keys(ARCH_ALIASES)], 2));
  return `unknown arch '${name}'${hint}; known: ${ARCH_NAMES.join(', ')}`;
}

function toArch(arch: Arch | ArchName): Arch {
  return typeof arch === 'string' ? ARCHES[arch] : arch;
}

/** A way to reach a syscall through a multiplexer: `multiplexer.nr` with args[0] & callMask = call. */
export interface MultiplexedCall {
  readonly multiplexer: Multiplexer;
  readonly call: number;
}

/**
 * The multiplexed entries that also reach `name` on `arch` (socket -> socketcall(SYS_SOCKET) on
 * x86), whether or not the arch has `name` as a direct syscall too. Empty elsewhere.
 */
export function multiplexedCalls(arch: Arch | ArchName, name: string): readonly MultiplexedCall[] {
  const out: MultiplexedCall[] = [];
  for (const multiplexer of toArch(arch).multiplexers) {
    const call = Object.hasOwn(multiplexer.calls, name) ? multiplexer.calls[name] : undefined;
    if (call !== undefined) out.push({ multiplexer, call });
  }
  return out;
}

/** The raw seccomp_data.nr of `name` on `arch` (x32: with the x32 bit), or undefined. */
export function resolveSyscall(arch: Arch | ArchName, name: string): number | undefined {
  return toArch(arch).syscalls.get(name);
}

/** The syscall name for a raw seccomp_data.nr on `arch`, or undefined. */
export function syscallName(arch: Arch | ArchName, nr: number): string | undefined {
  return toArch(arch).names.get(nr >>> 0);
}

/**
 * The arch whose filter section sees a seccomp_data with this `arch` and `nr`: x86_64 and x32
 * share AUDIT_ARCH_X86_64 and differ by the x32 bit in nr. Undefined for a foreign audit arch.
 */
export function archForAudit(auditArch: number, nr: number): Arch | undefined {
  const audit = auditArch >>> 0;
  if (audit === AUDIT_ARCH.AUDIT_ARCH_X86_64) return (nr & X32_SYSCALL_BIT) !== 0 ? ARCHES.x32 : ARCHES.x86_64;
  const name = ARCH_NAMES.find((n) => ARCH_SPECS[n].auditArch >>> 0 === audit);
  return name === undefined ? undefined : ARCHES[name];
}

/** The nrBase of every arch whose AUDIT_ARCH is `auditArch` (without building their tables). */
export function nrBasesOfAudit(auditArch: number): number[] {
  return ARCH_NAMES.filter((n) => ARCH_SPECS[n].auditArch >>> 0 === auditArch >>> 0).map((n) => ARCH_SPECS[n].nrBase);
}

/** This machine's byte order, without importing node:os (policy files bundle this module). */
function hostEndianness(): 'LE' | 'BE' {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';
}

/** The host's native arch, from Node's process.arch and byte order. Throws on other hosts. */
export function hostArch(platformArch: string = process.arch, order: 'LE' | 'BE' = hostEndianness()): Arch {
  const name = hostArchNameOf(platformArch, order === 'LE');
  if (!name) throw new Error(`unsupported host architecture ${platformArch} (${order}); seccompile targets ${ARCH_NAMES.join(', ')}`);
  return ARCHES[name];
}

/** The ABIs a kernel for `arch` may run: x86_64 -> x86_64, x86, x32; aarch64 -> aarch64, arm. */
export function compatArches(arch: Arch | ArchName): readonly Arch[] {
  const a = toArch(arch);
  return [a, ...ARCH_SPECS[a.name].compat.map((n) => ARCHES[n])];
}

const ALL_NAMES: ReadonlySet<string> = new Set(SYSCALL_TABLE.map((r) => r[0]));

/** Every syscall name known on some arch, sorted. */
export const SYSCALL_NAMES: readonly SyscallName[] = Object.freeze(SYSCALL_TABLE.map((r) => r[0]));

/** True when `name` is a syscall on at least one of our arches. */
export function isKnownSyscall(name: string): name is SyscallName {
  return ALL_NAMES.has(name);
}

/** The arches that have `name`, in ARCH_NAMES order. */
export function archesWithSyscall(name: string): ArchName[] {
  return ARCH_NAMES.filter((a) => ARCHES[a].syscalls.has(name));
}

/** Up to `n` known syscall names closest to `name` by edit distance, nearest first. */
export function suggestSyscalls(name: string, n = 3): string[] {
  return nearestNames(name, SYSCALL_NAMES, n);
}

/** "unknown syscall 'conect' (did you mean connect?)" */
export function unknownSyscallMessage(name: string): string {
  return `unknown syscall '${name}'${didYouMean(suggestSyscalls(name))}`;
}

/** A syscall name unknown on every arch; `suggestions` are the closest known names. */
export class UnknownSyscallError extends Error {
  override readonly name = 'UnknownSyscallError';
  readonly code = 'unknown-syscall';
  readonly syscall: string;
  readonly suggestions: readonly string[];
  constructor(syscall: string) {
    super(unknownSyscallMessage(syscall));
    this.syscall = syscall;
    this.suggestions = suggestSyscalls(syscall);
  }
}

/** The SyscallName for `name`, or an UnknownSyscallError with suggestions. */
export function checkSyscallName(name: string): SyscallName {
  if (!isKnownSyscall(name)) throw new UnknownSyscallError(name);
  return name;
}
