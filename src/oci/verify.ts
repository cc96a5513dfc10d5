/**
 * The export's safety net: the exported profile, imported back with runc's and libseccomp's
 * semantics (lower.ts), must decide as the IR it came from on every syscall number of every
 * targeted arch (every number the tables know, and 16 around the edges of either side's known
 * spans) and on argument values at and around every constant either side compares. The first
 * difference becomes the export's error, except runc's stub gap on arm and x32 (stubGap): a
 * warning.
 */
import { actionToRet, formatAction, type Action } from '../seccomp/abi.js';
import { inNrSpans, sectionSweep } from '../ir/nr-spans.js';
import { conditionConstants, OPERATORS } from '../ir/operators.js';
import { decide } from '../ir/semantics.js';
import type { ArchSection, Condition, PolicyIR } from '../ir/types.js';
import { ARCH_NAMES, ARCHES } from '../syscalls/index.js';
import { formatDiagnostic } from '../ir/diagnostics.js';
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
    throw mkError(`runc would not take the exported profile as the policy means it: ${errors.slice(0, 2).map((d) => formatDiagnostic(d)).join('; ')}${more}`);
  }
  const other = back.ir;
  const gaps: string[] = [];
  for (const section of ir.sections) {
    const arch = ARCHES[section.arch];
    const mirror = other.sections.find((s) => s.arch === section.arch);
    const rulesAt = (nr: number) => [
      ...(section.syscalls.find((s) => s.nr === nr)?.rules ?? []),
      ...(mirror?.syscalls.find((s) => s.nr === nr)?.rules ?? []),
    ];
    // On 32-bit ABIs the kernel's arguments have no upper half (and libseccomp ignores it).
    const lowOnly = arch.wordSize === 32;
    let gap: [number, number] | undefined;
    for (const [from, to] of sectionSweep([section, ...(mirror ? [mirror] : [])])) {
      for (let nr = from; nr <= to; nr++) {
        for (const args of argVectors(rulesAt(nr).flatMap((r) => r.conditions), lowOnly)) {
          const data = { arch: arch.auditArch, nr, args };
          const want = decide(ir, data);
          const got = decide(other, data);
          if (actionToRet(want) === actionToRet(got)) continue;
          const newer = !inNrSpans(section.knownNrs, nr);
          if (newer && mirror && stubGap(mirror, nr, want, got)) {
            gap = [gap?.[0] ?? nr, nr];
            continue;
          }
          if (newer || (mirror !== undefined && !inNrSpans(mirror.knownNrs, nr))) {
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
    if (gap && mirror) gaps.push(gapWarning(section, mirror, gap));
  }
  return [...back.diagnostics.map((d) => formatDiagnostic(d)), ...gaps];
}

/**
 * runc's stub starts above the largest syscall a profile names; on arm and x32, whose private
 * calls sit above the regular ones, any profile naming a private call leaves the numbers between
 * the two to the default action. Tolerated (with a warning) only where the policy's `newer` is
 * the stub's ENOSYS and runc's answer is the profile's default denying without running the call:
 * a kill, an errno or a trap, never a listener's decision.
 */
function stubGap(mirror: ArchSection, nr: number, want: Action, got: Action): boolean {
  return (
    inNrSpans(mirror.knownNrs, nr) &&
    actionToRet(want) === actionToRet(mirror.newer) &&
    actionToRet(got) === actionToRet(mirror.defaultAction) &&
    ['kill_thread', 'kill_process', 'errno', 'trap'].includes(got.kind)
  );
}

function gapWarning(section: ArchSection, mirror: ArchSection, [first, last]: [number, number]): string {
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const top = mirror.knownNrs[mirror.knownNrs.length - 1]!.end - 1;
  return (
    `warning: on ${section.arch}, numbers ${hex(first)}..${hex(last)} (where newer kernels add syscalls, below the arch's private calls) get the default action ` +
    `${formatAction(mirror.defaultAction)} under runc, not the policy's \`newer\` ${formatAction(mirror.newer)}: runc's -ENOSYS stub starts only above ` +
    `the largest syscall the profile names (${ARCHES[section.arch].names.get(top) ?? `nr ${top}`}, ${hex(top)}) [oci-newer-gap]`
  );
}

/** Argument vectors around every compared constant; all combinations, or a deterministic sample. */
function argVectors(conds: readonly Condition[], lowOnly: boolean): bigint[][] {
  if (conds.length === 0) return [[]];
  const used = [...new Set(conds.map((c) => c.arg))].sort();
  const values = used.map((i) => {
    const out = new Set<bigint>([0n, 0xffffffffn, 1n << 32n, U64]);
    for (const c of conds.filter((x) => x.arg === i)) {
      for (const k of conditionConstants(c)) for (const v of [k - 1n, k, k + 1n, k + (1n << 32n)]) if (v >= 0n && v <= U64) out.add(v);
      // a masked test: the bits it ignores set, and its lowest compared bit flipped
      if (OPERATORS[c.op].masked) for (const v of [c.value | (~c.mask & U64), c.value ^ (c.mask & -c.mask)]) out.add(v & U64);
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
