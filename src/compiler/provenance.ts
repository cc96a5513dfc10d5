/**
 * Provenance: which part of the policy each instruction of a compiled filter came from, kept as
 * a side table next to the program (cilium/ebpf's `Source` on instructions), never in the bytes.
 *
 * The tree builder tags every decision-tree node with the sources it is built for (./tree.ts
 * `within`); lowering carries the tags of a tree node onto the instructions it becomes, and
 * codegen resolves what it adds on its own (./codegen.ts `sources`): a JA (trampoline or
 * fall-through) has the sources of the instruction it jumps to, and every copy of `ret #k` has
 * those of the one tree leaf returning k.
 *
 * Sharing is preserved, so a shared instruction lists every source: a `ret` that several rules
 * (and maybe the default) end in lists all of them, an argument test two syscalls' identical
 * rules share lists both rules. An instruction with exactly one rule index belongs to that rule.
 */

/**
 * One source of an instruction:
 * - a number: the rule with that index in the policy (`RuleOrigin.index`: `rules[N]` of a DSL
 *   policy, `syscalls[N]` of an OCI profile), for its argument tests and its action's `ret`;
 * - 'arch-check': loading seccomp_data.arch and comparing it with a targeted AUDIT_ARCH;
 * - 'nr-dispatch': loading seccomp_data.nr and the search / JEQ chains over syscall numbers;
 * - 'arg-dispatch': the search over one argument's values that decides among a run of equality
 *   rules of a syscall (./alternatives.ts); each value's `ret` names its rule. (Naming every rule
 *   of the run on each of its tests would make the table quadratic in the run's length.)
 * - 'default': the `ret` of the policy's default action (a syscall no rule matches);
 * - 'newer': the `ret` for numbers newer than the syscall tables;
 * - 'bad-arch': the `ret` for an arch (or an ABI's numbers) the filter does not target.
 */
export type InsnSource = number | 'arch-check' | 'nr-dispatch' | 'arg-dispatch' | 'default' | 'newer' | 'bad-arch';

/**
 * The sources of one instruction: rule indexes ascending, then the named roles in the order of
 * `ROLE_ORDER`. Never empty for a compiled filter's instruction.
 */
export type InsnProvenance = readonly InsnSource[];

const ROLE_ORDER: readonly Exclude<InsnSource, number>[] = ['arch-check', 'nr-dispatch', 'arg-dispatch', 'default', 'newer', 'bad-arch'];

/** The sources in their canonical order (see InsnProvenance), each once. */
export function sortSources(sources: Iterable<InsnSource>): InsnSource[] {
  const set = new Set(sources);
  const rules = [...set].filter((s): s is number => typeof s === 'number').sort((a, b) => a - b);
  return [...rules, ...ROLE_ORDER.filter((r) => set.has(r))];
}

/** The rule an instruction belongs to when it belongs to exactly one (and nothing else), else undefined. */
export function soleRule(p: InsnProvenance): number | undefined {
  return p.length === 1 && typeof p[0] === 'number' ? p[0] : undefined;
}
