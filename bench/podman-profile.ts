/**
 * Podman's default seccomp profile (/usr/share/containers/seccomp.json, from Debian's
 * golang-github-containers-common) as a PolicyIR for the benchmark, for a container without
 * added capabilities: rules whose `includes.caps` asks for a capability are left out, rules
 * whose `excludes.caps` names one are kept. A deliberately small reading of the OCI format, only
 * for measuring; the real importer is src/oci/.
 */
import { readFileSync } from 'node:fs';
import type { Action } from '../src/seccomp/abi.js';
import type { ArchSection, CmpOp, Condition, PolicyIR, Rule } from '../src/ir/types.js';
import { condition } from '../src/ir/operators.js';
import { ARCHES, type ArchName } from '../src/syscalls/index.js';

export const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';

interface OciRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo: number; op: string }[] | null;
  includes?: { arches?: string[]; caps?: string[] };
  excludes?: { arches?: string[]; caps?: string[] };
}

const OCI_ARCH: Readonly<Record<string, ArchName>> = { amd64: 'x86_64', x86: 'x86', x32: 'x32', arm64: 'aarch64', arm: 'arm' };
const OPS: Readonly<Record<string, CmpOp>> = {
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};

function action(name: string, errnoRet: number | undefined, fallbackErrno: number): Action {
  switch (name) {
    case 'SCMP_ACT_ALLOW':
      return { kind: 'allow' };
    case 'SCMP_ACT_ERRNO':
      return { kind: 'errno', errno: errnoRet ?? fallbackErrno };
    case 'SCMP_ACT_KILL_PROCESS':
      return { kind: 'kill_process' };
    default:
      throw new Error(`podman profile: action ${name} not handled by the bench reader`);
  }
}

export function podmanIR(arches: readonly ArchName[], path = PODMAN_PROFILE): PolicyIR {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { defaultAction: string; defaultErrnoRet?: number; syscalls: OciRule[] };
  const defaultErrno = doc.defaultErrnoRet ?? 1;
  const defaultAction = action(doc.defaultAction, doc.defaultErrnoRet, defaultErrno);
  const sections: ArchSection[] = arches.map((archName) => {
    const arch = ARCHES[archName];
    const byNr = new Map<number, { name: string; rules: Rule[] }>();
    doc.syscalls.forEach((r, index) => {
      if (r.includes?.caps?.length) return; // needs a capability the container does not have
      if (r.includes?.arches?.length && !r.includes.arches.some((a) => OCI_ARCH[a] === archName)) return;
      if (r.excludes?.arches?.some((a) => OCI_ARCH[a] === archName)) return;
      const conditions: Condition[] = (r.args ?? []).map((a) =>
        a.op === 'SCMP_CMP_MASKED_EQ'
          ? condition(a.index, 'masked_eq', 64, BigInt(a.valueTwo), BigInt(a.value))
          : condition(a.index, OPS[a.op]!, 64, BigInt(a.value)),
      );
      const rule: Rule = { conditions, action: action(r.action, r.errnoRet, defaultErrno), origin: { index, path: `syscalls[${index}]` } };
      for (const name of r.names) {
        const nr = arch.syscalls.get(name);
        if (nr === undefined) continue;
        const entry = byNr.get(nr) ?? { name, rules: [] };
        entry.rules.push(rule);
        byNr.set(nr, entry);
      }
    });
    return {
      arch: archName,
      auditArch: arch.auditArch,
      nrBase: arch.nrBase,
      knownNrs: arch.knownNrs,
      syscalls: [...byNr].sort((a, b) => a[0] - b[0]).map(([nr, e]) => ({ nr, name: e.name, rules: e.rules })),
      defaultAction,
      newer: defaultAction,
      endian: arch.endian,
    };
  });
  sections.sort((a, b) => a.auditArch - b.auditArch || a.nrBase - b.nrBase);
  return { sections, badArch: { kind: 'kill_process' } };
}
