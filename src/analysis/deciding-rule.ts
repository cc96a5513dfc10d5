/**
 * Which part of a policy decides one call: the first rule whose conditions hold, or the
 * section's default, `newer` (a number past the tables) or `badArch`. The same order as
 * `decide` (src/ir/semantics.ts), returning the rule instead of its action, for reports that
 * name the rule (jail's denial report).
 */
import { inNrSpans } from '../ir/nr-spans.js';
import { owningSection, ruleMatches, type SyscallData } from '../ir/semantics.js';
import type { ArchSection, PolicyIR, Rule } from '../ir/types.js';

export type Decider =
  | { readonly kind: 'rule'; readonly rule: Rule; readonly section: ArchSection }
  | { readonly kind: 'default'; readonly section: ArchSection }
  | { readonly kind: 'newer'; readonly section: ArchSection }
  | { readonly kind: 'badArch' };

export function decidingRule(ir: PolicyIR, data: SyscallData): Decider {
  const nr = data.nr >>> 0;
  const section = owningSection(ir, data.arch, nr);
  if (!section) return { kind: 'badArch' };
  if (!inNrSpans(section.knownNrs, nr)) return { kind: 'newer', section };
  const rules = section.syscalls.find((s) => s.nr === nr)?.rules ?? [];
  const rule = rules.find((r) => ruleMatches(r, data.args));
  return rule ? { kind: 'rule', rule, section } : { kind: 'default', section };
}
