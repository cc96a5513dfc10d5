/**
 * The up-front check of a filter from a file: valid under the kernel's seccomp rules in the
 * host byte order (src/bpf/load.ts), and allowing execve() on the host arch, evaluated with the
 * interpreter (a policy that denies execve would otherwise fail mysteriously in the init stage).
 * Imported only for filters from files; see policy-source.ts.
 */
import { loadProgram } from '../bpf/load.js';
import { formatAction } from '../seccomp/abi.js';
import { evaluate } from '../seccomp/evaluate.js';
import { hostArch } from '../syscalls/index.js';
import { setupError } from './launch-error.js';
import type { SeccompFilter } from './spec.js';

const STEP = 'policy';

/** Validates the bytes and refuses a filter under which execve() cannot succeed. */
export function checkFilter(filter: SeccompFilter): SeccompFilter {
  const arch = hostArch();
  let program;
  try {
    program = loadProgram(filter.bytes, arch.endian).program;
  } catch (e) {
    throw setupError(STEP, `${filter.name}: ${(e as Error).message}`);
  }
  const nr = arch.syscalls.get('execve');
  if (nr !== undefined) {
    const { action } = evaluate(program, { nr, arch: arch.auditArch, instructionPointer: 0n, args: [] }, arch.endian);
    if (action.kind !== 'allow' && action.kind !== 'log') {
      throw setupError(
        STEP,
        `${filter.name} denies execve (${formatAction(action)}) on ${arch.name}: the command could not start under it`,
      );
    }
  }
  return filter;
}
