/**
 * The export's safety net: the exported profile, imported back with runc's and libseccomp's
 * semantics (lower.ts), must decide as the IR it came from on every syscall number of every
 * targeted arch (base .. largest known + 16) and on argument values at and around every constant
 * either side compares. The first difference becomes the export's error.
 */
import { actionToRet, formatAction } from '../seccomp/abi.js';
import { decide } from '../ir/semantics.js';
import type { Condition, PolicyIR } from '../ir/types.js';
import { ARCH_NAMES, ARCHES } from '../syscalls/index.js';
import { formatOciDiagnostic } from './diagnostic.js';
import type { OciProfileOut } from './export.js';
import { importOciProfile } from './import.js';

const U64 = (1n << 64n) - 1n;
const MAX_VECTORS = 2048;

/** Throws mkError(message) on the first difference; returns the importer's warnings. */
export function verifyExport(ir: PolicyIR, profile: OciProfileOut, mkError: (m: string) => Error): string[] {
  const native = ARCH_NAMES.find((a) => ir.sections.some((s) => s.arch === a))!;
  const back = importOciProfile(profile, { arch: native, kernel: '6.1', caps: [] });
  const errors = back.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !back.ir) {
    const more = errors.length > 2 ? ` (and ${errors.length - 2} more)` : '';
    throw mkError(`runc would not take the exported profile as the policy means it: ${errors.slice(0, 2).map((d) => formatOciDiagnostic(d)).join('; ')}${more}`);
  }
  const other = back.ir;
  for (const section of ir.sections) {
    const arch = ARCHES[section.arch];
    const mirror = other.sections.find((s) => s.arch === section.arch);
    const top = Math.max(section.maxNr, mirror?.maxNr ?? 0, arch.maxNr) + 16;
    const rulesAt = (nr: number) => [
      ...(section.syscalls.find((s) => s.nr === nr)?.rules ?? []),
      ...(mirror?.syscalls.find((s) => s.nr === nr)?.rules ?? []),
    ];
    // On 32-bit ABIs the kernel's arguments have no upper half (and libseccomp ignores it).
    const lowOnly = arch.wordSize === 32;
    for (let nr = arch.nrBase; nr <= top; nr++) {
      for (const args of argVectors(rulesAt(nr).flatMap((r) => r.conditions), lowOnly)) {
        const data = { arch: arch.auditArch, nr, args };
        const want = decide(ir, data);
        const got = decide(other, data);
        if (actionToRet(want) !== actionToRet(got)) {
          if (nr > section.maxNr || (mirror !== undefined && nr > mirror.maxNr)) {
            throw mkError(
              `on ${section.arch}, nr ${nr} (newer than the syscall tables or the names in the profile): the policy's \`newer\` decides ${formatAction(want)}, ` +
                `the exported profile under runc ${formatAction(got)} (runc answers ENOSYS above the largest syscall a profile names, or the default action when that is ALLOW, LOG or TRACE)`,
            );
          }
          const name = arch.names.get(nr) ?? `nr ${nr}`;
          const shown = args.some((a) => a !== 0n) ? `(${args.map((a) => `0x${a.toString(16)}`).join(', ')})` : '';
          throw mkError(`on ${section.arch}, ${name}${shown}: the policy decides ${formatAction(want)}, the exported profile under runc ${formatAction(got)}`);
        }
      }
    }
  }
  return back.diagnostics.map((d) => formatOciDiagnostic(d));
}

/** Argument vectors around every compared constant; all combinations, or a deterministic sample. */
function argVectors(conds: readonly Condition[], lowOnly: boolean): bigint[][] {
  if (conds.length === 0) return [[]];
  const used = [...new Set(conds.map((c) => c.arg))].sort();
  const values = used.map((i) => {
    const out = new Set<bigint>([0n, 0xffffffffn, 1n << 32n, U64]);
    for (const c of conds.filter((x) => x.arg === i)) {
      for (const v of [c.value - 1n, c.value, c.value + 1n, c.value + (1n << 32n)]) if (v >= 0n && v <= U64) out.add(v);
      if (c.mask !== undefined) for (const v of [c.value | (~c.mask & U64), c.value ^ (c.mask & -c.mask)]) out.add(v & U64);
    }
    return [...new Set([...out].map((v) => (lowOnly ? v & 0xffffffffn : v)))];
  });
  const total = values.reduce((n, v) => n * v.length, 1);
  const out: bigint[][] = [];
  const count = Math.min(total, MAX_VECTORS);
  for (let k = 0; k < count; k++) {
    // Mixed-radix walk; past MAX_VECTORS, a stride through the space that still varies every digit.
    let rest = total <= MAX_VECTORS ? k : Math.floor((k * total) / count);
    const args = [0n, 0n, 0n, 0n, 0n, 0n];
    used.forEach((idx, j) => {
      args[idx] = values[j]![rest % values[j]!.length]!;
      rest = Math.floor(rest / values[j]!.length);
    });
    out.push(args);
  }
  return out;
}
