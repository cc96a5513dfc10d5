/**
 * The compiled program annotated with where each instruction came from (`seccompile disasm
 * --source`): the seccomp annotations of src/seccomp/annotate.ts, then in brackets the
 * instruction's provenance (src/compiler/provenance.ts) in the words `explain` uses: the rule
 * (`rules[N]` of a DSL policy with its file:line:column, `syscalls[N]` of an OCI profile), or the
 * part of the dispatch it is (arch check, syscall nr tree) or the fallback it returns (default,
 * newer, badArch). Pure; deterministic for one compiled result.
 */
import { disassemble } from '../bpf/disasm.js';
import type { CompileResult, InsnProvenance, InsnSource } from '../compiler/index.js';
import type { SourceLocation } from '../ir/spec.js';
import type { PolicyIR } from '../ir/types.js';
import { annotateSeccomp, type SyscallNamer } from '../seccomp/annotate.js';
import { locationText } from './explain.js';

export interface SourceListingOptions {
  /** Where the rule with this index was written (the DSL records it). */
  readonly locate?: (ruleIndex: number) => SourceLocation | undefined;
  readonly syscallName?: SyscallNamer;
}

/** Rules named on one line of a shared instruction before the rest is counted. */
const RULES_SHOWN = 4;

const ROLE_TEXT: Readonly<Record<Exclude<InsnSource, number>, string>> = {
  'arch-check': 'arch check',
  'nr-dispatch': 'syscall nr tree',
  'arg-dispatch': 'argument value tree',
  default: 'default',
  newer: 'newer',
  'bad-arch': 'badArch',
};

/**
 * Rule names by rule index (`rules[3]`, `syscalls[12]`), from the IR's rules: the origin path
 * up to its first dot, the rule itself rather than the syscall it names there
 * (`rules[3].syscalls[1]`, `syscalls[12].names[4]` share their index with the rule's other names).
 */
function rulePaths(ir: PolicyIR): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of ir.sections) for (const e of s.syscalls) for (const r of e.rules) out.set(r.origin.index, r.origin.path.split('.')[0]!);
  return out;
}

/** `rules[3] p.ts:9:5`; `rules[0], rules[2], default`; `rules[0], ..., rules[3] (+5 more rules), default`. */
export function provenanceText(p: InsnProvenance, paths: ReadonlyMap<number, string>, locate?: SourceListingOptions['locate']): string {
  const rules = p.filter((s): s is number => typeof s === 'number');
  const roles = p.filter((s): s is Exclude<InsnSource, number> => typeof s !== 'number').map((r) => ROLE_TEXT[r]);
  const name = (i: number) => paths.get(i) ?? `rule ${i}`;
  if (rules.length === 1 && roles.length === 0) return `${name(rules[0]!)} ${locationText(locate?.(rules[0]!))}`.trim();
  const shown = rules.slice(0, RULES_SHOWN).map(name);
  if (rules.length > RULES_SHOWN) shown.push(`(+${rules.length - RULES_SHOWN} more rules)`);
  return [...shown, ...roles].join(', ');
}

/** The listing of `result` (compiled from `ir`) with each instruction's provenance. */
export function sourceListing(result: CompileResult, ir: PolicyIR, options: SourceListingOptions = {}): string {
  const notes = annotateSeccomp(result.program, { endian: result.endian, ...(options.syscallName ? { syscallName: options.syscallName } : {}) });
  const paths = rulePaths(ir);
  return disassemble(result.program, {
    annotate: (pc) => {
      const p = result.provenance[pc];
      const source = p && p.length > 0 ? `[${provenanceText(p, paths, options.locate)}]` : '';
      return [notes[pc], source].filter(Boolean).join(' ') || undefined;
    },
  });
}
