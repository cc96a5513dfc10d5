/**
 * The meaning of a PolicyIR, evaluated directly (no BPF): the reference every compiled filter is
 * tested against. `decide` follows the contract documented in ./types.ts word for word:
 * arch dispatch by AUDIT_ARCH, then by the section owning `nr` (x86_64 vs x32), then first
 * matching rule in order, then the section default, with `newer` for owned numbers outside the
 * section's knownNrs.
 *
 * Values follow the kernel's view of struct seccomp_data (include/uapi/linux/seccomp.h): `nr`
 * is an int the filter reads as a u32 word, arguments are u64. A width-32 condition sees only
 * the low 32 bits of its argument.
 */
import type { Action } from '../seccomp/abi.js';
import { nrBasesOfAudit } from '../syscalls/index.js';
import { inNrSpans } from './nr-spans.js';
import { conditionHolds as holds } from './operators.js';
import { firstMatch } from './rule-index.js';
import type { ArchSection, Condition, PolicyIR, Rule, SyscallRules } from './types.js';

/** What the filter sees of one syscall: seccomp_data.arch, .nr and .args. */
export interface SyscallData {
  /** AUDIT_ARCH value (u32). */
  readonly arch: number;
  /** seccomp_data.nr (read as u32: -1 is 0xffffffff). */
  readonly nr: number;
  /** Up to 6 unsigned 64-bit arguments; missing ones are 0. */
  readonly args: readonly bigint[];
}

/** A section together with the raw nr span [start, end) it owns (end <= 2^32). */
export interface OwnedSpan {
  readonly section: ArchSection;
  readonly start: number;
  readonly end: number;
}

const U32_END = 2 ** 32;

/**
 * Where the ABIs that share one AUDIT_ARCH split the nr space, whether targeted or not: the
 * nrBase of every known Arch with that AUDIT_ARCH (x86_64 and x32 share AUDIT_ARCH_X86_64 and
 * x32 numbers carry __X32_SYSCALL_BIT, arch/x86/entry/common.c do_syscall_x64/x32). A section's
 * span ends at the next split point above its nrBase, so an x86_64-only filter never lets an x32
 * number reach the x86_64 rules.
 */
function splitPoints(section: ArchSection): readonly number[] {
  return nrBasesOfAudit(section.auditArch);
}

/**
 * Each section with the nr span it owns: from its nrBase up to the next section sharing its
 * AUDIT_ARCH, and never past the next ABI split point (numbers there belong to an untargeted ABI
 * and get `badArch`). Sorted by auditArch, then start.
 */
export function ownedSpans(ir: PolicyIR): readonly OwnedSpan[] {
  const sorted = [...ir.sections].sort((a, b) => a.auditArch - b.auditArch || a.nrBase - b.nrBase);
  return sorted.map((section, i) => {
    const next = sorted[i + 1];
    let end = next && next.auditArch === section.auditArch ? next.nrBase : U32_END;
    for (const p of splitPoints(section)) if (p > section.nrBase && p < end) end = p;
    return { section, start: section.nrBase, end };
  });
}

interface Index {
  readonly spans: readonly OwnedSpan[];
  readonly bySection: Map<ArchSection, ReadonlyMap<number, SyscallRules>>;
}
const indexes = new WeakMap<PolicyIR, Index>();

/** Spans and nr lookups, computed once per (immutable) IR. */
function indexOf(ir: PolicyIR): Index {
  let index = indexes.get(ir);
  if (!index) {
    index = { spans: ownedSpans(ir), bySection: new Map() };
    for (const section of ir.sections) index.bySection.set(section, new Map(section.syscalls.map((s) => [s.nr, s])));
    indexes.set(ir, index);
  }
  return index;
}

/** The section owning (arch, nr), or undefined when the result is `badArch`. */
export function owningSection(ir: PolicyIR, arch: number, nr: number): ArchSection | undefined {
  const a = arch >>> 0;
  const n = nr >>> 0;
  return indexOf(ir).spans.find((s) => s.section.auditArch === a && n >= s.start && n < s.end)?.section;
}

/** Whether one condition holds for the given arguments (exact unsigned comparison). */
export function conditionHolds(cond: Condition, args: readonly bigint[]): boolean {
  return holds(cond, args[cond.arg] ?? 0n);
}

/** Whether all of a rule's conditions hold (a rule without conditions always matches). */
export function ruleMatches(rule: Rule, args: readonly bigint[]): boolean {
  return rule.conditions.every((c) => conditionHolds(c, args));
}

/** The action the policy takes for one syscall. */
export function decide(ir: PolicyIR, data: SyscallData): Action {
  const nr = data.nr >>> 0;
  const section = owningSection(ir, data.arch, nr);
  if (!section) return ir.badArch;
  if (!inNrSpans(section.knownNrs, nr)) return section.newer;
  const entry = indexOf(ir).bySection.get(section)!.get(nr);
  return decideRules(entry?.rules ?? [], section.defaultAction, data.args);
}

/** Below this many rules a scan in order is as fast as the index (./rule-index.ts). */
const INDEXED_FROM = 16;

/** The first matching rule's action, else `fallback`. */
export function decideRules(rules: readonly Rule[], fallback: Action, args: readonly bigint[]): Action {
  if (rules.length < INDEXED_FROM) {
    for (const rule of rules) if (ruleMatches(rule, args)) return rule.action;
    return fallback;
  }
  const i = firstMatch(rules, args, (rule) => ruleMatches(rule, args));
  return i < 0 ? fallback : rules[i]!.action;
}
