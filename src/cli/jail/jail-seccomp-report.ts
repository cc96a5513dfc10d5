/**
 * The one line jail and `jail enter` print when the seccomp policy killed the command, naming
 * the syscall from the kernel's audit record (src/launcher/kill-report/seccomp-kill.ts) where there is one.
 */
import type { StopReason } from '../../launcher/supervisor.js';

/** "killed by seccomp policy P: syscall NAME (NR)", naming what the kernel's audit record says. */
export async function describeSeccompKill(policy: string | undefined, reason: Extract<StopReason, { kind: 'seccomp' }>): Promise<string> {
  if (!reason.record) return `killed by seccomp policy ${policy ?? '?'} (SIGSYS); the syscall is unknown: ${reason.why}`;
  const { syscall, arch } = reason.record;
  // The syscall tables load only on this path.
  const { archForAudit, syscallName } = await import('../../syscalls/index.js');
  const a = archForAudit(arch, syscall);
  const name = a ? syscallName(a, syscall) : undefined;
  const where = a && a.name !== 'x86_64' && a.name !== 'aarch64' ? ` on ${a.name}` : '';
  return `killed by seccomp policy ${policy ?? '?'}: syscall ${name ?? '?'} (${syscall})${where}`;
}

