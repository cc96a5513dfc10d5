/**
 * What learn mode observed, by name: distinct calls per arch, a selected argument's value
 * where it has one (./arguments.ts). Built from the notification worker's counts, or read
 * back from an earlier run's cases file (./cases.ts) to merge runs.
 */
import { archForAudit, type ArchName } from '../syscalls/index.js';
import { argumentOfInterest } from './arguments.js';

export interface LearnedCall {
  readonly arch: ArchName;
  readonly syscall: string;
  /** For an argument of interest: which one, and its value (masked with the argument's mask). */
  readonly arg?: { readonly index: number; readonly value: bigint };
  /** How many times this run saw it (0 for calls merged from an earlier run). */
  readonly count: number;
}

/** One observed call as the worker reports it. */
export interface RawCall {
  readonly arch: number;
  readonly nr: number;
  readonly arg?: number;
  readonly value?: bigint;
  readonly count: number;
}

/** Names the worker's calls; calls of arches or numbers the tables do not know are returned apart. */
export function nameCalls(raw: readonly RawCall[]): { calls: LearnedCall[]; unknown: RawCall[] } {
  const calls: LearnedCall[] = [];
  const unknown: RawCall[] = [];
  for (const r of raw) {
    const arch = archForAudit(r.arch, r.nr);
    const syscall = arch?.names.get(r.nr >>> 0);
    if (!arch || !syscall) {
      unknown.push(r);
      continue;
    }
    const arg = r.arg !== undefined && r.value !== undefined && argumentOfInterest(syscall) ? { index: r.arg, value: r.value } : undefined;
    calls.push({ arch: arch.name, syscall, ...(arg ? { arg } : {}), count: r.count });
  }
  return { calls, unknown };
}

export function callKey(c: LearnedCall): string {
  return `${c.arch}\0${c.syscall}\0${c.arg ? `${c.arg.index}=${c.arg.value}` : ''}`;
}

/** The union of runs: each distinct call once, counts added. */
export function mergeCalls(...runs: readonly (readonly LearnedCall[])[]): LearnedCall[] {
  const out = new Map<string, LearnedCall>();
  for (const run of runs) {
    for (const c of run) {
      const key = callKey(c);
      const seen = out.get(key);
      out.set(key, seen ? { ...seen, count: seen.count + c.count } : c);
    }
  }
  return [...out.values()].sort((a, b) => (a.arch === b.arch ? (a.syscall === b.syscall ? Number((a.arg?.value ?? 0n) - (b.arg?.value ?? 0n)) : a.syscall < b.syscall ? -1 : 1) : a.arch < b.arch ? -1 : 1));
}
