/**
 * normalize: PolicySpec -> PolicyIR, the front half of the compiler. Checks the spec
 * (./check-spec.ts), picks the target arches, resolves syscall names to raw numbers per arch,
 * expands rules on socketcall/ipc sub-calls onto the multiplexer, reports shadowed rules, and
 * orders the IR deterministically (sections by auditArch then nrBase, syscalls by nr).
 *
 * Diagnostics are collected, never thrown; `ir` is undefined when any is an error. Nothing is
 * ever silently weakened: a rule whose argument conditions cannot be checked through a
 * multiplexer (its arguments sit behind a pointer) is an error unless an earlier rule on the
 * multiplexer already decides that sub-call, which makes the expansion unreachable.
 */
import type { PolicySpec, SourceLocation } from './spec.js';
import type { Arch, ArchName, Multiplexer } from '../syscalls/arch.js';
import { archByName, compatArches, hostArch, resolveSyscall, unknownArchMessage } from '../syscalls/index.js';
import { checkPolicy, resolveAction, type CheckedRule } from './check-spec.js';
import type { Diagnostic } from './diagnostics.js';
import { DiagnosticSink, hasErrors } from './diagnostics.js';
import { satisfiable } from './implication.js';
import { EarlierRules } from './earlier-rules.js';
import { lintPolicy } from './lints.js';
import { condition, conditionHolds } from './operators.js';
import type { ArchSection, Condition, PolicyIR, Rule, SyscallRules } from './types.js';

export interface NormalizeOptions {
  /** Target arches, overriding the policy's `arch` (e.g. from `--arch`). */
  readonly arches?: readonly string[];
  /** The policy file, for diagnostics about rules whose location the DSL did not record. */
  readonly sourceFile?: string;
}

/** A syscall a rule names that does not exist on a target arch (and is not multiplexed there). */
export interface SkippedSyscall {
  readonly arch: ArchName;
  readonly syscall: string;
}

export interface NormalizeResult {
  /** Undefined when a diagnostic is an error. */
  readonly ir: PolicyIR | undefined;
  readonly diagnostics: Diagnostic[];
  /** Sorted by arch (ARCH_NAMES order of the targets), then name. */
  readonly skipped: SkippedSyscall[];
}

/** One rule placed on one nr of one arch, before shadow analysis. */
interface Placed {
  readonly rule: CheckedRule;
  readonly syscall: string;
  /** For an expansion onto a multiplexer: the demultiplexed syscall's index in the rule. */
  readonly via?: { readonly syscallIndex: number; readonly subCall: number };
  readonly conditions: readonly Condition[];
}

export function normalize(spec: PolicySpec, options: NormalizeOptions = {}): NormalizeResult {
  const fallback: SourceLocation | undefined =
    spec?.location ?? (options.sourceFile ? { file: options.sourceFile, line: 1, column: 1 } : undefined);
  const sink = new DiagnosticSink(fallback);
  const checked = checkPolicy(spec, sink);
  const arches = targetArches(spec, options, sink);
  // Rules with mistakes are left out, the others still lowered, so that multiplexer errors and
  // shadow warnings come in the same report; the IR is withheld at the end.
  if (!checked || !arches || !checked.default || !checked.badArch || !checked.newer) {
    return { ir: undefined, diagnostics: sink.list, skipped: [] };
  }
  const skipped: SkippedSyscall[] = [];
  const shadows = new Map<string, { later: CheckedRule; earlier: string; syscalls: Set<string>; arches: Set<ArchName> }>();
  const unenforceable = new Map<string, { rule: CheckedRule; syscallIndex: number; mux: Set<string>; arches: Set<ArchName>; subCall: number }>();
  const sections: ArchSection[] = [];

  const unsat = new Set(checked.rules.filter((r) => satisfiable(r.conditions) === 'unsat'));
  for (const arch of arches) {
    const table = placeRules(arch, checked.rules, skipped);
    const syscalls: SyscallRules[] = [];
    for (const [nr, placed] of [...table].sort((a, b) => a[0] - b[0])) {
      const rules: Rule[] = [];
      const kept = new EarlierRules<Placed>();
      for (const p of placed) {
        const earlier = kept.firstImplied(p.conditions);
        if (p.via) {
          // An expansion an earlier rule decides is unreachable: drop it (not worth a warning).
          if (earlier) continue;
          if (p.rule.conditions.length > 0) {
            const key = `${p.rule.index}/${p.via.syscallIndex}`;
            const u = unenforceable.get(key) ?? { rule: p.rule, syscallIndex: p.via.syscallIndex, mux: new Set(), arches: new Set(), subCall: p.via.subCall };
            u.mux.add(p.syscall);
            u.arches.add(arch.name);
            unenforceable.set(key, u);
            continue;
          }
        } else if (earlier && !unsat.has(p.rule) && !p.rule.fromGroups.has(p.syscall)) {
          const key = `${p.rule.index}/${p.rule.alternative ?? ''}/${originPath(earlier)}`;
          const s = shadows.get(key) ?? { later: p.rule, earlier: describe(earlier), syscalls: new Set(), arches: new Set() };
          s.syscalls.add(p.syscall);
          s.arches.add(arch.name);
          shadows.set(key, s);
        }
        kept.add(p.conditions, p);
        rules.push({
          conditions: p.conditions,
          action: resolveAction(p.rule.action, arch.name),
          origin: { index: p.rule.index, path: originPath(p) },
        });
      }
      if (rules.length > 0) syscalls.push({ nr, name: arch.names.get(nr) ?? `nr ${nr}`, rules });
    }
    sections.push({
      arch: arch.name,
      auditArch: arch.auditArch,
      nrBase: arch.nrBase,
      knownNrs: arch.knownNrs,
      syscalls,
      defaultAction: resolveAction(checked.default, arch.name),
      newer: resolveAction(checked.newer, arch.name),
      endian: arch.endian,
    });
  }

  for (const u of unenforceable.values()) {
    const name = u.rule.syscalls.find((s) => s.index === u.syscallIndex)?.name ?? '?';
    const muxes = [...u.mux].join('/');
    sink.error(
      'multiplexer-condition',
      `${u.rule.path}.syscalls[${u.syscallIndex}]`,
      `the conditions of ${u.rule.path} on ${name} cannot be enforced through ${muxes} on ${[...u.arches].join(', ')}: ` +
        `there the arguments of ${name} sit in memory behind a pointer that seccomp cannot read. ` +
        `Decide ${muxes} sub-call ${u.subCall} (${name}) yourself with an earlier rule, e.g. ` +
        `errno('EPERM').on('${[...u.mux][0]}').when(arg(0).int.eq(${u.subCall})), or leave these arches out of \`arch\``,
      u.rule.location,
    );
  }
  // The parts of an in() rule shadowed alike are said in one warning.
  const alike = new Map<string, { later: CheckedRule[]; text: string }>();
  for (const s of shadows.values()) {
    const text = `can never match ${[...s.syscalls].sort().join(', ')} (on ${[...s.arches].join(', ')}): ${s.earlier} matches first whenever it would`;
    const key = `${s.later.index}/${text}`;
    const group = alike.get(key) ?? { later: [], text };
    group.later.push(s.later);
    alike.set(key, group);
  }
  for (const { later, text } of alike.values()) sink.warning('shadowed-rule', later[0]!.path, `${partsText(later)} ${text}`, later[0]!.location);
  warnConstantOn32Bit(checked.rules, arches, sink);
  warnUnsatisfiable(checked.rules, unsat, sink);

  sections.sort((a, b) => (a.auditArch >>> 0) - (b.auditArch >>> 0) || a.nrBase - b.nrBase);
  const archOrder = arches.map((a) => a.name);
  skipped.sort((a, b) => archOrder.indexOf(a.arch) - archOrder.indexOf(b.arch) || (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0));
  const ir: PolicyIR = { sections, badArch: resolveAction(checked.badArch) };
  if (!hasErrors(sink.list)) lintPolicy(ir, checked.rules, sink);
  return { ir: hasErrors(sink.list) ? undefined : ir, diagnostics: sink.list, skipped };
}

/** The target arches: options.arches, else the policy's `arch`, else the host's native + compat. */
function targetArches(spec: PolicySpec, options: NormalizeOptions, sink: DiagnosticSink): Arch[] | undefined {
  const fromOptions = options.arches !== undefined;
  const names: unknown = options.arches ?? spec?.arch;
  if (names === undefined) {
    try {
      return [...compatArches(hostArch())];
    } catch (e) {
      sink.error('unknown-arch', 'arch', `no target arch given and ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
  const key = fromOptions ? 'arches' : 'arch';
  if (!Array.isArray(names) || names.length === 0) {
    sink.error('unknown-arch', key, 'expected a non-empty list of arch names');
    return undefined;
  }
  const out: Arch[] = [];
  let ok = true;
  names.forEach((n: unknown, i: number) => {
    const arch = typeof n === 'string' ? archByName(n) : undefined;
    if (!arch) {
      sink.error('unknown-arch', `${key}[${i}]`, unknownArchMessage(String(n)));
      ok = false;
    } else if (!out.includes(arch)) out.push(arch);
  });
  return ok ? out : undefined;
}

/**
 * Each rule, in policy order, placed on the raw nr of each syscall it names on `arch`, and on
 * the multiplexer nr (with a sub-call condition on args[0]) where the arch multiplexes it.
 */
function placeRules(arch: Arch, rules: readonly CheckedRule[], skipped: SkippedSyscall[]): Map<number, Placed[]> {
  const table = new Map<number, Placed[]>();
  // Rules already placed directly on each nr (a rule naming two aliases of one nr goes there once).
  const direct = new Map<number, Set<CheckedRule>>();
  const put = (nr: number, p: Placed) => {
    const list = table.get(nr) ?? [];
    table.set(nr, list);
    if (p.via) return void list.push(p);
    const placed = direct.get(nr) ?? new Set<CheckedRule>();
    direct.set(nr, placed);
    if (placed.has(p.rule)) return;
    placed.add(p.rule);
    list.push(p);
  };
  for (const rule of rules) {
    if (rule.arches && !rule.arches.has(arch.name)) continue;
    for (const { name, index } of rule.syscalls) {
      const nr = resolveSyscall(arch, name);
      if (nr !== undefined) put(nr, { rule, syscall: name, conditions: rule.conditions });
      let multiplexed = false;
      for (const mux of arch.multiplexers) {
        if (!Object.hasOwn(mux.calls, name)) continue;
        multiplexed = true;
        const subCall = mux.calls[name]!;
        put(mux.nr, { rule, syscall: mux.syscall, via: { syscallIndex: index, subCall }, conditions: [subCallCondition(mux, subCall)] });
      }
      if (nr === undefined && !multiplexed && !skipped.some((s) => s.arch === arch.name && s.syscall === name)) {
        skipped.push({ arch: arch.name, syscall: name });
      }
    }
  }
  return table;
}

/** How many parts of a rule a message names before it counts the rest. */
const PARTS_NAMED = 5;

/** "rules[3]", or for parts of a rule an in() split: "rules[3] where int arg0 == 2 or int arg0 == 9". */
function partsText(parts: readonly CheckedRule[]): string {
  const first = parts[0]!;
  if (!first.alternative) return first.path;
  const named = parts.slice(0, PARTS_NAMED).map((p) => p.alternative).join(' or ');
  return `${first.path} where ${named}${parts.length > PARTS_NAMED ? ` (and ${parts.length - PARTS_NAMED} more values)` : ''}`;
}

/** A rule whose conditions contradict each other; of a rule an in() split, the parts that do in one warning, or the rule when all do. */
function warnUnsatisfiable(rules: readonly CheckedRule[], unsat: ReadonlySet<CheckedRule>, sink: DiagnosticSink): void {
  const partsOf = new Map<number, CheckedRule[]>();
  for (const p of rules) partsOf.set(p.index, [...(partsOf.get(p.index) ?? []), p]);
  const said = new Set<number>();
  for (const r of unsat) {
    if (said.has(r.index)) continue;
    said.add(r.index);
    const parts = partsOf.get(r.index)!;
    const dead = parts.filter((p) => unsat.has(p));
    if (dead.length === parts.length) {
      sink.warning('unsatisfiable-rule', `${r.path}.conditions`, `the conditions of ${r.path} contradict each other: it can never match`, r.location);
    } else {
      const one = dead.length === 1;
      sink.warning('unsatisfiable-rule', `${r.path}.conditions`, `${partsText(dead)} ${one ? 'contradicts' : 'contradict'} the rule's other conditions: ${one ? 'that value' : 'those values'} can never match`, r.location);
    }
  }
}

function originPath(p: Placed): string {
  return p.via ? `${p.rule.path}.syscalls[${p.via.syscallIndex}]` : p.rule.path;
}

function describe(p: Placed): string {
  if (!p.via) return p.rule.path;
  const name = p.rule.syscalls.find((s) => s.index === p.via!.syscallIndex)?.name;
  return `${p.rule.path} (${name} through ${p.syscall})`;
}

/** include/uapi/linux/audit.h: set in the AUDIT_ARCH of ABIs whose syscall arguments are 64-bit. */
const __AUDIT_ARCH_64BIT = 0x80000000;

/**
 * On 32-bit ABIs (x86, arm: no __AUDIT_ARCH_64BIT; x32 has it, its registers are 64-bit) the
 * kernel uses only the low 32 bits of each argument, and for ordinary callers the upper half
 * seccomp sees is zero, so a full 64-bit comparison with a value above 2^32-1 does not mean
 * what it says there: the rule never (or always) matches. Warn, pointing at `arg(i).int`.
 */
function warnConstantOn32Bit(rules: readonly CheckedRule[], arches: readonly Arch[], sink: DiagnosticSink): void {
  const narrow = arches.filter((a) => (a.auditArch & __AUDIT_ARCH_64BIT) === 0);
  for (const rule of rules) {
    const on = narrow.filter((a) => !rule.arches || rule.arches.has(a.name)).map((a) => a.name);
    if (on.length === 0) continue;
    rule.conditions.forEach((c, k) => {
      const path = rule.valuePaths[k]!;
      if (c.width !== 64 || c.value >> 32n === 0n) return;
      // with the upper half zero the argument is below the constant: the outcome at 0 is the outcome
      const always = conditionHolds(c, 0n);
      sink.warning(
        'constant-on-32-bit',
        path,
        `on ${on.join(', ')} arguments are 32 bits wide (the kernel ignores the upper half), so comparing arg ${c.arg} ` +
          `with 0x${c.value.toString(16)} is ${always} for ordinary callers there; for an int argument use arg(${c.arg}).int, whose -1 means 0xffffffff`,
        rule.location,
      );
    });
  }
}

/**
 * The condition selecting one sub-call of a multiplexer: the kernel reads the sub-call from the
 * low 32 bits of args[0] (an int), and for ipc only `call & 0xffff` (ipc/syscall.c ksys_ipc).
 */
export function subCallCondition(mux: Multiplexer, subCall: number): Condition {
  return mux.callMask === 0xffffffff ? condition(0, 'eq', 32, BigInt(subCall)) : condition(0, 'masked_eq', 32, BigInt(subCall), BigInt(mux.callMask));
}
