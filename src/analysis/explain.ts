/**
 * explain: what a policy decides for a syscall, per arch, and which rule decides it, read off the
 * lowered IR (so it is what the compiled filter does: src/ir/types.ts states the contract, the
 * compiler is verified against it). A syscall reaches a filter by its own number and, on arches
 * with socketcall/ipc, also as a sub-call of the multiplexer: each way in is a `Route`, its rules
 * in order (the first whose conditions all hold decides), then the section default.
 *
 * Pure: builds a model and renders it as text; the CLI (src/cli/seccompile/commands/explain.ts) prints it,
 * ./explain-dot.ts draws it.
 */
import type { SourceLocation } from '../ir/spec.js';
import { implies, satisfiable } from '../ir/implication.js';
import { subCallCondition } from '../ir/normalize.js';
import { conditionText } from '../ir/operators.js';
import type { ArchSection, Condition, PolicyIR, RuleOrigin } from '../ir/types.js';
import type { Action } from '../seccomp/abi.js';
import { ARCHES, ARCH_NAMES, type ArchName } from '../syscalls/index.js';
import { actionText } from './action-text.js';

/** One rule as it applies on a route. */
export interface ExplainedRule {
  /** ANDed; on a multiplexer route, without the sub-call test the route implies. */
  readonly conditions: readonly Condition[];
  readonly action: Action;
  readonly origin: RuleOrigin;
  /** Where the rule was written, when the policy recorded it. */
  readonly location?: SourceLocation;
  /** An earlier rule on the route always matches first: this one never decides here. */
  readonly unreachable: boolean;
}

/** One way a syscall reaches the filter. */
export interface Route {
  /** Absent: its own number; present: as sub-call `subCall` of this multiplexer. */
  readonly via?: { readonly syscall: string; readonly subCall: number };
  /** The raw seccomp_data.nr the filter sees. */
  readonly nr: number;
  readonly rules: readonly ExplainedRule[];
  /** What a call no rule matches gets (the section default); absent when a rule always matches. */
  readonly fallback?: Action;
}

export interface SyscallExplanation {
  readonly arch: ArchName;
  readonly syscall: string;
  /** Empty when the arch has no such syscall (the filter answers its number, if any, as unknown). */
  readonly routes: readonly Route[];
}

export interface SectionExplanation {
  readonly arch: ArchName;
  readonly syscalls: readonly SyscallExplanation[];
  /** For every syscall no rule names. */
  readonly defaultAction: Action;
  /** For numbers newer than the tables. */
  readonly newer: Action;
}

export interface PolicyExplanation {
  readonly sections: readonly SectionExplanation[];
  /** For any arch the policy does not target. */
  readonly badArch: Action;
}

export interface ExplainOptions {
  /** Syscall names to explain; absent: every syscall some rule names. */
  readonly syscalls?: readonly string[];
  /** Arches to explain; absent: every target. */
  readonly arches?: readonly ArchName[];
  /** The source location of a rule by its index in the policy (the DSL records them). */
  readonly locate?: (ruleIndex: number) => SourceLocation | undefined;
}

/** How the syscall `name` is decided on one section. */
export function explainSyscall(section: ArchSection, name: string, locate?: ExplainOptions['locate']): SyscallExplanation {
  const arch = ARCHES[section.arch];
  const routes: Route[] = [];
  const nr = arch.syscalls.get(name);
  if (nr !== undefined) {
    const entry = section.syscalls.find((s) => s.nr === nr);
    routes.push(route(section, nr, entry?.rules ?? [], undefined, locate));
  }
  for (const mux of arch.multiplexers) {
    if (!Object.hasOwn(mux.calls, name)) continue;
    const subCall = mux.calls[name]!;
    const sub = subCallCondition(mux, subCall);
    const entry = section.syscalls.find((s) => s.nr === mux.nr);
    const rules = (entry?.rules ?? [])
      .filter((r) => satisfiable([...r.conditions, sub]) !== 'unsat')
      .map((r) => ({ ...r, conditions: r.conditions.filter((c) => !(c.arg === 0 && implies([sub], [c]))) }));
    routes.push(route(section, mux.nr, rules, { syscall: mux.syscall, subCall }, locate));
  }
  return { arch: section.arch, syscall: name, routes };
}

function route(
  section: ArchSection,
  nr: number,
  rules: readonly { conditions: readonly Condition[]; action: Action; origin: RuleOrigin }[],
  via: Route['via'],
  locate: ExplainOptions['locate'],
): Route {
  let decided = false;
  const out: ExplainedRule[] = rules.map((r) => {
    const location = locate?.(r.origin.index);
    const e: ExplainedRule = { conditions: r.conditions, action: r.action, origin: r.origin, ...(location ? { location } : {}), unreachable: decided };
    if (r.conditions.length === 0) decided = true;
    return e;
  });
  return { ...(via ? { via } : {}), nr, rules: out, ...(decided ? {} : { fallback: section.defaultAction }) };
}

/** The explanation of a whole policy, or of some syscalls in it. */
export function explainPolicy(ir: PolicyIR, options: ExplainOptions = {}): PolicyExplanation {
  // In ARCH_NAMES order (x86_64 before x86), not the IR's AUDIT_ARCH order: the order people read.
  const sections = [...ir.sections]
    .sort((a, b) => ARCH_NAMES.indexOf(a.arch) - ARCH_NAMES.indexOf(b.arch))
    .filter((s) => !options.arches || options.arches.includes(s.arch))
    .map((section): SectionExplanation => {
      const names = options.syscalls ?? namedSyscalls(section);
      return {
        arch: section.arch,
        syscalls: names.map((n) => explainSyscall(section, n, options.locate)),
        defaultAction: section.defaultAction,
        newer: section.newer,
      };
    });
  return { sections, badArch: ir.badArch };
}

/** Every syscall with rules on a section (a multiplexer under its own name), sorted by name. */
function namedSyscalls(section: ArchSection): string[] {
  return [...new Set(section.syscalls.map((s) => s.name))].sort();
}

export { conditionText };

export function locationText(l: SourceLocation | undefined): string {
  return l ? `${l.file}:${l.line}:${l.column}` : '';
}

/** The explanation as text, one block per (arch, syscall). */
export function explanationText(e: PolicyExplanation, options: { readonly all: boolean }): string {
  const out: string[] = [];
  for (const s of e.sections) {
    for (const x of s.syscalls) out.push(...syscallLines(x));
    if (options.all) {
      out.push(`${s.arch}: every other syscall: ${actionText(s.defaultAction, s.arch)} (default)`);
      out.push(`${s.arch}: syscalls newer than the tables: ${actionText(s.newer, s.arch)} (newer)`);
      out.push('');
    }
  }
  if (options.all) out.push(`other arches: ${actionText(e.badArch)} (badArch)`, '');
  return out.join('\n');
}

function syscallLines(x: SyscallExplanation): string[] {
  if (x.routes.length === 0) return [`${x.syscall} on ${x.arch}: not a syscall there`, ''];
  const lines: string[] = [];
  for (const r of x.routes) {
    const head = r.via ? `${x.syscall} on ${x.arch}, through ${r.via.syscall} (nr ${r.nr}) sub-call ${r.via.subCall}:` : `${x.syscall} on ${x.arch} (nr ${r.nr}):`;
    lines.push(head);
    const rows: [string, string][] = [];
    for (const rule of r.rules) {
      const when = rule.conditions.length === 0 ? 'always' : `if ${rule.conditions.map(conditionText).join(' && ')}`;
      const note = rule.unreachable ? ' (never reached: an earlier rule always matches)' : '';
      rows.push([`  ${when}: ${actionText(rule.action, x.arch)}${note}`, `${rule.origin.path} ${locationText(rule.location)}`.trim()]);
    }
    if (r.fallback) rows.push([`  ${r.rules.length === 0 ? 'always' : 'otherwise'}: ${actionText(r.fallback, x.arch)}`, 'default']);
    const width = Math.max(...rows.map(([a]) => a.length));
    for (const [a, b] of rows) lines.push(`${a.padEnd(width)}  [${b}]`);
  }
  lines.push('');
  return lines;
}
