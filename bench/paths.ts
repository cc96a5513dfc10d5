/**
 * Executed-instruction counts of a filter on x86_64, the measure the compile and OCI benchmarks compare with
 * libseccomp: every syscall number 0..460 (mean and worst) and a typical mix of hot syscalls.
 */
import type { Program } from '../src/bpf/validate.js';
import { InterpreterEvaluator } from '../src/seccomp/evaluate.js';
import { ARCHES } from '../src/syscalls/index.js';

/** The "typical mix" of syscalls a busy server makes. */
export const MIX = ['read', 'write', 'close', 'fstat', 'mmap', 'brk', 'rt_sigaction', 'getpid', 'sendto', 'recvfrom', 'futex', 'clock_gettime', 'epoll_wait', 'openat', 'newfstatat'];

export interface Paths {
  /** Mean executed instructions over x86_64 nrs 0..460. */
  readonly mean: number;
  readonly worst: number;
  /** Mean over MIX. */
  readonly mix: number;
}

export function x86_64Paths(program: Program): Paths {
  const ev = new InterpreterEvaluator(program, 'little');
  const x = ARCHES.x86_64;
  const steps = (nr: number) => ev.evaluateOne({ arch: x.auditArch, nr, args: [], instructionPointer: 0n }).steps;
  let sum = 0;
  let worst = 0;
  for (let nr = 0; nr <= 460; nr++) {
    const s = steps(nr);
    sum += s;
    worst = Math.max(worst, s);
  }
  const mix = MIX.map((n) => steps(x.syscalls.get(n)!));
  return { mean: sum / 461, worst, mix: mix.reduce((a, b) => a + b, 0) / mix.length };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
