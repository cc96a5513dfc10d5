/**
 * The up-front check of every filter jail installs: valid under the kernel's seccomp rules in
 * the host byte order (src/bpf/load.ts), and allowing execve() on the host arch, evaluated with
 * the interpreter (a policy that denies execve, like the built-in `stdio`, would otherwise kill
 * the command at its first instruction). The execve number and audit arch come from the Arch
 * descriptor and the small generated host-syscalls table, not from the syscall tables, which
 * cost ~8 ms to load.
 *
 * A filter that can return SECCOMP_RET_USER_NOTIF (OCI SCMP_ACT_NOTIFY, DSL notify()) is refused
 * too: jail listens only to the filters it makes itself (--learn, the denial report: ./notify-filter.ts),
 * and without a listener the kernel answers those calls with ENOSYS
 * (kernel/seccomp.c, seccomp_do_user_notification). Only `ret #k` can return it in a filter jail
 * accepts; the syscall tables are imported to name the calls only when such a return is found.
 */
import { endianness } from 'node:os';
import { loadProgram } from '../../bpf/load.js';
import { BPF_CLASS, BPF_RVAL } from '../../bpf/isa.js';
import type { Program } from '../../bpf/validate.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_USER_NOTIF, formatAction, type SeccompFilterFlag } from '../../seccomp/abi.js';
import { evaluate } from '../../seccomp/evaluate.js';
import { ARCH_SPECS, isArchName } from '../../syscalls/arch.js';
import { setupError } from '../launch-error.js';
import { hostArchName, syscallNumber } from '../linux.js';
import type { SeccompFilter } from '../spec.js';

const STEP = 'policy';

/** AUDIT_ARCH_* of the host's native ABI, where jail knows it. */
export function hostAuditArch(): number | undefined {
  const arch = hostArchName();
  return isArchName(arch) ? ARCH_SPECS[arch].auditArch : undefined;
}

/** Validates the bytes and refuses a filter under which execve() cannot succeed. */
export function checkFilter(filter: SeccompFilter): SeccompFilter {
  checkedProgram(filter);
  return filter;
}

function checkedProgram(filter: SeccompFilter, validated?: Program): Program {
  const arch = hostArchName();
  const endian = endianness() === 'LE' ? 'little' : 'big';
  let program = validated;
  try {
    program ??= loadProgram(filter.bytes, endian).program;
  } catch (e) {
    throw setupError(STEP, `${filter.name}: ${(e as Error).message}`);
  }
  const nr = syscallNumber('execve');
  const auditArch = hostAuditArch();
  if (nr !== undefined && auditArch !== undefined) {
    const { action } = evaluate(program, { nr, arch: auditArch, instructionPointer: 0n, args: [] }, endian);
    if (action.kind !== 'allow' && action.kind !== 'log') {
      throw setupError(STEP, `${filter.name} denies execve (${formatAction(action)}) on ${arch}: the command could not start under it`);
    }
  }
  return program;
}

/**
 * The seccomp(2) flags jail installs every filter with (./seccomp-install.ts). A source may ask
 * for flags (an OCI profile's `flags`); asking for one of these is already honoured.
 */
const JAIL_INSTALL_FLAGS: ReadonlySet<SeccompFilterFlag> = new Set(['SECCOMP_FILTER_FLAG_TSYNC']);

/** Refuses install flags jail would not apply, rather than installing the filter without them. */
export function checkInstallFlags(name: string, flags: readonly SeccompFilterFlag[]): void {
  const unsupported = flags.filter((f) => !JAIL_INSTALL_FLAGS.has(f));
  if (unsupported.length === 0) return;
  throw setupError(
    STEP,
    `${name} asks for ${unsupported.join(', ')}; jail installs filters with ${[...JAIL_INSTALL_FLAGS].join(', ')} only: remove ${unsupported.length > 1 ? 'them' : 'it'} from the profile's "flags" to run under jail`,
  );
}

const RET_K = BPF_CLASS.RET | BPF_RVAL.K;
const isUserNotifReturn = (i: { code: number; k: number }): boolean =>
  i.code === RET_K && (i.k & SECCOMP_RET_ACTION_FULL) >>> 0 === SECCOMP_RET_USER_NOTIF;

/**
 * checkFilter, then refuses a filter that can return SECCOMP_RET_USER_NOTIF, naming the host
 * arch's syscalls whose decision (with zero arguments) is a notification. `validated`: the
 * program the bytes encode, already validated in the host byte order (src/source does), which
 * spares validating it twice at start-up.
 */
export async function checkPolicy(filter: SeccompFilter, validated?: Program): Promise<SeccompFilter> {
  const program = checkedProgram(filter, validated);
  if (!program.some(isUserNotifReturn)) return filter;
  const { hostArch } = await import('../../syscalls/index.js');
  const arch = hostArch();
  const endian = arch.endian;
  const names = [...arch.syscalls]
    .filter(([, nr]) => evaluate(program, { nr, arch: arch.auditArch, instructionPointer: 0n, args: [] }, endian).action.kind === 'user_notif')
    .map(([name]) => name)
    .sort();
  const shown = names.length === 0 ? 'some calls' : names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  throw setupError(
    STEP,
    `${filter.name} uses user notification (SCMP_ACT_NOTIFY) for ${shown}; jail cannot act as the listener, so those calls would fail with ENOSYS`,
  );
}
