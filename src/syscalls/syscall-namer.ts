/**
 * The syscall tables as the disassembler's SyscallNamer: kept apart from annotate.ts so that
 * module (and src/bpf) can be used without loading the tables.
 */
import { archForAudit, syscallName } from './index.js';
import type { SyscallNamer } from '../seccomp/annotate.js';

/**
 * `read`, or `read (x32)` for an ABI that shares its AUDIT_ARCH with another and is told apart by
 * a number base (x32's __X32_SYSCALL_BIT); undefined for unknown arches and numbers.
 */
export const tableSyscallName: SyscallNamer = (auditArch, nr) => {
  const arch = archForAudit(auditArch, nr);
  const name = arch && syscallName(arch, nr);
  if (!arch || !name) return undefined;
  return arch.nrBase !== 0 ? `${name} (${arch.name})` : name;
};
