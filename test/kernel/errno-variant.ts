/**
 * All-ERRNO variants of a policy for the kernel tests: every distinct action of the IR (rule
 * actions, defaults, `newer`, `badArch`) becomes its own errno 1..n, in order of first
 * appearance, so the errno a denied call fails with names the decision, and nothing executes.
 */
import { actionToRet, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO, type Action } from '../../src/seccomp/abi.js';
import type { PolicyIR } from '../../src/ir/types.js';

/** Whether a RET constant is an ERRNO with a non-zero errno (ERRNO(0) would return 0 without an error). */
export const isDistinctErrnoRet = (k: number): boolean =>
  ((k & SECCOMP_RET_ACTION_FULL) >>> 0) === SECCOMP_RET_ERRNO && (k & 0xffff) !== 0;

export function allErrnoVariant(ir: PolicyIR): PolicyIR {
  const numbers = new Map<number, number>();
  const map = (a: Action): Action => {
    const key = actionToRet(a);
    let n = numbers.get(key);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(key, n);
    }
    return { kind: 'errno', errno: n };
  };
  return {
    badArch: map(ir.badArch),
    sections: ir.sections.map((s) => ({
      ...s,
      defaultAction: map(s.defaultAction),
      newer: map(s.newer),
      syscalls: s.syscalls.map((e) => ({ ...e, rules: e.rules.map((r) => ({ ...r, action: map(r.action) })) })),
    })),
  };
}
