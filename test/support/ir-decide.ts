/**
 * The IR's own semantics (src/ir/types.ts contract), evaluated directly from the rules: the
 * reference the OCI tests compare libseccomp's and our compiled filters with.
 */
import { AUDIT_ARCH, X32_SYSCALL_BIT, type Action } from '../../src/seccomp/abi.js';
import type { Condition, PolicyIR } from '../../src/ir/types.js';
import type { SeccompData } from '../../src/seccomp/data.js';

export function decideIR(ir: PolicyIR, data: SeccompData): Action {
  const nr = data.nr >>> 0;
  const own = ir.sections.filter((s) => s.auditArch === data.arch >>> 0);
  const section = own
    .filter((s) => nr >= s.nrBase)
    .sort((a, b) => b.nrBase - a.nrBase)[0];
  if (!section) return ir.badArch;
  // x86_64 never owns x32 numbers (bit 30): without an x32 section they get badArch.
  if (section.nrBase === 0 && section.auditArch === AUDIT_ARCH.AUDIT_ARCH_X86_64 && nr >= X32_SYSCALL_BIT) return ir.badArch;
  if (nr > section.maxNr) return section.newer;
  const entry = section.syscalls.find((s) => s.nr === nr);
  for (const rule of entry?.rules ?? []) if (rule.conditions.every((c) => holds(c, data.args[c.arg] ?? 0n))) return rule.action;
  return section.defaultAction;
}

function holds(c: Condition, arg: bigint): boolean {
  const x = c.width === 32 ? arg & 0xffffffffn : arg;
  switch (c.op) {
    case 'eq':
      return x === c.value;
    case 'ne':
      return x !== c.value;
    case 'lt':
      return x < c.value;
    case 'le':
      return x <= c.value;
    case 'gt':
      return x > c.value;
    case 'ge':
      return x >= c.value;
    case 'masked_eq':
      return (x & (c.mask ?? 0n)) === c.value;
  }
}
