/**
 * `simulate`: one system call through a filter, the way the kernel would decide it, in terms a
 * test can read: { action: 'errno', errno: 13, errnoName: 'EACCES', steps: 9, ... }. Arguments may
 * be numbers (negative ones are the 64-bit two's complement, as a C `long` -1 is), bigints, or
 * omitted (0). The syscall is a name (resolved on the arch) or a raw seccomp_data.nr.
 */
import type { PolicyIR } from '../ir/types.js';
import type { PolicySpec } from '../ir/spec.js';
import type { ActionKind, Action } from '../seccomp/abi.js';
import type { SeccompData } from '../seccomp/data.js';
import { InterpreterEvaluator } from '../seccomp/evaluate.js';
import { errnoName } from '../syscalls/errno.js';
import { archByName, hostArch, isKnownSyscall, resolveSyscall, unknownArchMessage, unknownSyscallMessage, type Arch, type ArchName } from '../syscalls/index.js';
import { loadFilterBytes, loadPolicy, type LoadedFilter } from './load.js';

/** What `simulate` and the assertions accept without I/O: a policy, its IR, filter bytes, or a loaded filter. */
export type FilterLike = LoadedFilter | PolicySpec | PolicyIR | Uint8Array;

/** An argument value: a non-negative integer below 2^64, or a negative one for its two's complement. */
export type ArgValue = number | bigint;

export interface SyscallCall {
  /** Arch name or alias (default: the host's arch when the filter targets it, else its first arch). */
  readonly arch?: string;
  /** Name ('socket') or raw seccomp_data.nr. */
  readonly syscall: string | number;
  readonly args?: readonly ArgValue[];
  /** seccomp_data.instruction_pointer (default 0). */
  readonly ip?: ArgValue;
}

export interface Simulation {
  readonly action: ActionKind;
  /** For errno: the errno number and, when it has one on this arch, its name. */
  readonly errno?: number;
  readonly errnoName?: string;
  /** For trap and trace: SECCOMP_RET_DATA. */
  readonly data?: number;
  /** Instructions executed. */
  readonly steps: number;
  /** The raw 32-bit return value. */
  readonly ret: number;
  /** The decoded action, for comparisons. */
  readonly decision: Action;
  readonly arch: ArchName;
  readonly nr: number;
}

/** A simulate() input that cannot be a system call (unknown arch or syscall, bad argument). */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

const cache = new WeakMap<object, LoadedFilter>();

/** The LoadedFilter of anything FilterLike (policies are compiled once per object). */
export function toFilter(f: FilterLike): LoadedFilter {
  if (typeof f === 'object' && f !== null && 'program' in f && 'arches' in f) return f;
  let loaded = cache.get(f);
  if (!loaded) {
    loaded = f instanceof Uint8Array ? loadFilterBytes(f) : loadPolicy(f);
    cache.set(f, loaded);
  }
  return loaded;
}

/** The arch a call runs on: the one named, else the host's if the filter targets it, else the filter's first. */
export function callArch(filter: LoadedFilter, name: string | undefined): Arch {
  if (name !== undefined) {
    const a = archByName(name);
    if (!a) throw new SimulationError(unknownArchMessage(name));
    return a;
  }
  let host: Arch | undefined;
  try {
    host = hostArch();
  } catch {
    host = undefined;
  }
  if (host && (filter.arches.length === 0 || filter.arches.includes(host.name))) return host;
  const first = filter.arches[0];
  if (!first) throw new SimulationError('the filter dispatches on no known arch: give `arch`');
  return archByName(first)!;
}

const U64 = (1n << 64n) - 1n;

/** An argument as the u64 the kernel passes (negative numbers as two's complement). */
export function toU64(v: ArgValue, what: string): bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new SimulationError(`${what}: ${v} is not an exact integer (use a bigint)`);
  const b = BigInt(v);
  if (b < -(1n << 63n) || b > U64) throw new SimulationError(`${what}: ${v} does not fit in 64 bits`);
  return b < 0n ? b + (1n << 64n) : b;
}

/** The raw nr of a call on `arch`. */
export function callNr(arch: Arch, syscall: string | number): number {
  if (typeof syscall === 'number') {
    if (!Number.isInteger(syscall) || syscall < -(2 ** 31) || syscall > 0xffffffff) throw new SimulationError(`nr ${syscall} is not a 32-bit integer`);
    return syscall >>> 0;
  }
  const nr = resolveSyscall(arch, syscall);
  if (nr === undefined) {
    throw new SimulationError(isKnownSyscall(syscall) ? `syscall '${syscall}' does not exist on ${arch.name}` : unknownSyscallMessage(syscall));
  }
  return nr;
}

/** The seccomp_data of a call. */
export function callData(arch: Arch, call: SyscallCall): SeccompData {
  const args = call.args ?? [];
  if (args.length > 6) throw new SimulationError(`${args.length} arguments: a system call has at most 6`);
  return {
    arch: arch.auditArch,
    nr: callNr(arch, call.syscall),
    args: args.map((a, i) => toU64(a, `args[${i}]`)),
    instructionPointer: call.ip === undefined ? 0n : toU64(call.ip, 'ip'),
  };
}

const evaluators = new WeakMap<LoadedFilter, InterpreterEvaluator>();

/** Runs one system call through the filter (the interpreter: exact kernel semantics). */
export function simulate(filter: FilterLike, call: SyscallCall): Simulation {
  const f = toFilter(filter);
  const arch = callArch(f, call.arch);
  const data = callData(arch, call);
  let ev = evaluators.get(f);
  if (!ev) evaluators.set(f, (ev = new InterpreterEvaluator(f.program, f.endian)));
  const r = ev.evaluateOne(data);
  const a = r.action;
  const name = a.kind === 'errno' ? errnoName(a.errno, arch.name) : undefined;
  return {
    action: a.kind,
    ...(a.kind === 'errno' ? { errno: a.errno, ...(name ? { errnoName: name } : {}) } : {}),
    ...(a.kind === 'trap' || a.kind === 'trace' ? { data: a.data } : {}),
    steps: r.steps,
    ret: r.ret,
    decision: a,
    arch: arch.name,
    nr: data.nr >>> 0,
  };
}
