/**
 * The up-front check of every filter jail installs: valid under the kernel's seccomp rules in
 * the host byte order (src/bpf/load.ts), and allowing execve() on the host arch, evaluated with
 * the interpreter (a policy that denies execve, like the built-in `stdio`, would otherwise kill
 * the command at its first instruction). The execve number and audit arch come from a small
 * table in linux.ts rather than src/syscalls, whose tables cost ~8 ms to load.
 */
import { endianness } from 'node:os';
import { loadProgram } from '../bpf/load.js';
import { AUDIT_ARCH, formatAction } from '../seccomp/abi.js';
import { evaluate } from '../seccomp/evaluate.js';
import { setupError } from './launch-error.js';
import { hostArchName, syscallNumber } from './linux.js';
import type { SeccompFilter } from './spec.js';

const STEP = 'policy';

/** Validates the bytes and refuses a filter under which execve() cannot succeed. */
/** AUDIT_ARCH_* of the host's native ABI (the one execve runs in). */
const HOST_AUDIT_ARCH: Readonly<Record<string, number>> = {
  x86_64: AUDIT_ARCH.AUDIT_ARCH_X86_64,
  aarch64: AUDIT_ARCH.AUDIT_ARCH_AARCH64,
  riscv64: AUDIT_ARCH.AUDIT_ARCH_RISCV64,
  loongarch64: AUDIT_ARCH.AUDIT_ARCH_LOONGARCH64,
  ppc64le: AUDIT_ARCH.AUDIT_ARCH_PPC64LE,
  s390x: AUDIT_ARCH.AUDIT_ARCH_S390X,
};

export function checkFilter(filter: SeccompFilter): SeccompFilter {
  const arch = hostArchName();
  const endian = endianness() === 'LE' ? 'little' : 'big';
  let program;
  try {
    program = loadProgram(filter.bytes, endian).program;
  } catch (e) {
    throw setupError(STEP, `${filter.name}: ${(e as Error).message}`);
  }
  const nr = syscallNumber('execve');
  const auditArch = HOST_AUDIT_ARCH[arch];
  if (nr !== undefined && auditArch !== undefined) {
    const { action } = evaluate(program, { nr, arch: auditArch, instructionPointer: 0n, args: [] }, endian);
    if (action.kind !== 'allow' && action.kind !== 'log') {
      throw setupError(STEP, `${filter.name} denies execve (${formatAction(action)}) on ${arch}: the command could not start under it`);
    }
  }
  return filter;
}
