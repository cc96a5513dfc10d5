/**
 * The whole filter's decision as Graphviz text (`seccompile explain --format dot` without one
 * SYSCALL): the arch check, then per target arch one cluster with the syscall-number dispatch,
 * each syscall's rules as chains of condition diamonds (as ./explain-dot.ts draws one syscall),
 * and the arch's returns, one node per action, shared by every path that ends there; anything
 * else goes to the default, newer numbers to `newer`, other arches to badArch.
 *
 * Readable for large profiles (Docker's names ~350 syscalls): syscalls whose decision is the same
 * (the same conditions and actions, in order) are one node listing them, so a cluster has about
 * as many nodes as the policy has distinct decisions, not syscalls or rules; the edges into the
 * returns name the rules that decide there (with file:line when one rule does).
 * Built from the explanation (./explain.ts), deterministic.
 */
import type { Action } from '../seccomp/abi.js';
import { auditArchName } from '../seccomp/abi.js';
import { ARCHES } from '../syscalls/index.js';
import { actionText } from './action-text.js';
import { actionFill, quote, shortLocation } from './explain-dot.js';
import { conditionText, type ExplainedRule, type PolicyExplanation, type SectionExplanation } from './explain.js';

export interface FilterDotOptions {
  /**
   * The explanation covers every syscall a rule names (explainPolicy without `syscalls`): each
   * is drawn where its own number reaches the filter (a multiplexer with its own rules, not its
   * sub-calls again) and every other number goes to the default. Otherwise (some syscalls) every
   * route of each is drawn, sub-calls included, and the other numbers end in "not drawn".
   */
  readonly whole?: boolean;
}

/** Most characters of syscall names on one line of a group's label. */
const LABEL_WIDTH = 64;
/** Rules named on an edge before the rest are counted. */
const RULES_SHOWN = 3;

interface Group {
  readonly names: string[];
  /** The rules that can decide, per member route, in order (the same conditions and actions in each). */
  readonly live: ExplainedRule[][];
  readonly fallback: Action | undefined;
}

/** The rule itself (`rules[3]`, `syscalls[12]`), not the syscall it names there (`.syscalls[1]`, `.names[4]`). */
const ruleName = (rule: ExplainedRule): string => rule.origin.path.split('.')[0]!;

/** The rules at one position of a group, for an edge: `rules[3]\np.ts:12`, or `rules[3], rules[5] (+2 more)`. */
function rulesLabel(rules: readonly ExplainedRule[]): string {
  const byIndex = new Map<number, ExplainedRule>();
  for (const r of rules) if (!byIndex.has(r.origin.index)) byIndex.set(r.origin.index, r);
  const distinct = [...byIndex.values()].sort((a, b) => a.origin.index - b.origin.index);
  if (distinct.length === 1) return `${ruleName(distinct[0]!)}${shortLocation(distinct[0]!.location)}`;
  const shown = distinct.slice(0, RULES_SHOWN).map(ruleName).join(', ');
  return distinct.length > RULES_SHOWN ? `${shown} (+${distinct.length - RULES_SHOWN} more)` : shown;
}

/** What decides a route, as a key: equal keys decide every call alike (maybe by different rules). */
function decisionKey(live: readonly ExplainedRule[], fallback: Action | undefined, arch: SectionExplanation['arch']): string {
  const rules = live.map((r) => [r.conditions.map(conditionText), actionText(r.action, arch)]);
  return JSON.stringify([rules, fallback ? actionText(fallback, arch) : null]);
}

/** Names joined with ', ', broken into lines of about LABEL_WIDTH characters. */
function wrap(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line && line.length + n.length + 2 > LABEL_WIDTH) {
      lines.push(`${line},`);
      line = n;
    } else line = line ? `${line}, ${n}` : n;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The target arch's arch-check edge label: its AUDIT_ARCH, and which numbers when two ABIs share it. */
function archLabel(s: SectionExplanation, all: readonly SectionExplanation[]): string {
  const arch = ARCHES[s.arch];
  const name = auditArchName(arch.auditArch) ?? `0x${arch.auditArch.toString(16)}`;
  const siblings = all.filter((o) => o !== s && ARCHES[o.arch].auditArch === arch.auditArch);
  if (siblings.length === 0) return name;
  const above = siblings.map((o) => ARCHES[o.arch].nrBase).filter((b) => b > arch.nrBase);
  if (arch.nrBase > 0) return `${name}, nr >= 0x${arch.nrBase.toString(16)}`;
  return above.length ? `${name}, nr < 0x${Math.min(...above).toString(16)}` : name;
}

/** A digraph of the explained policy: one cluster per arch, syscalls with the same decision as one node. */
export function filterDot(e: PolicyExplanation, options: FilterDotOptions = {}): string {
  const out: string[] = [
    'digraph filter {',
    '  rankdir=LR;',
    '  node [fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
    '  arch [shape=diamond, label="arch"];',
    `  bad_arch [shape=box, style=filled, fillcolor=${quote(actionFill(e.badArch))}, label=${quote(`${actionText(e.badArch)}\nbadArch`)}];`,
  ];
  e.sections.forEach((s, si) => {
    const id = `a${si}`;
    const body: string[] = [`    label=${quote(s.arch)};`, `    ${id}_nr [shape=diamond, label="nr"];`];
    const returns = new Map<string, string>();
    const ret = (action: Action): string => {
      const text = actionText(action, s.arch);
      let node = returns.get(text);
      if (!node) {
        node = `${id}_ret${returns.size}`;
        returns.set(text, node);
        body.push(`    ${node} [shape=box, style=filled, fillcolor=${quote(actionFill(action))}, label=${quote(text)}];`);
      }
      return node;
    };
    const edge = (from: string, to: string, label?: string) => body.push(`    ${from} -> ${to}${label ? ` [label=${quote(label)}]` : ''};`);

    const groups = new Map<string, Group>();
    for (const x of s.syscalls) {
      for (const r of x.routes) {
        if (r.via && options.whole) continue;
        const name = r.via ? `${x.syscall} (${r.via.syscall} ${r.via.subCall})` : x.syscall;
        const live = r.rules.filter((rule) => !rule.unreachable);
        const key = decisionKey(live, r.fallback, s.arch);
        const g = groups.get(key);
        if (g) {
          g.names.push(name);
          g.live.push(live);
        } else groups.set(key, { names: [name], live: [live], fallback: r.fallback });
      }
    }
    [...groups.values()].forEach((g, gi) => {
      const node = `${id}_g${gi}`;
      body.push(`    ${node} [shape=box, style=rounded, label=${quote(wrap(g.names))}];`);
      edge(`${id}_nr`, node);
      // `pending`: edges still waiting for the next rule (or the default).
      let pending: { from: string; label?: string }[] = [{ from: node }];
      const link = (to: string, label?: string) => {
        for (const p of pending) edge(p.from, to, [p.label, label].filter(Boolean).join(': ') || undefined);
      };
      g.live[0]!.forEach((rule, ri) => {
        const deciding = rulesLabel(g.live.map((rules) => rules[ri]!));
        if (rule.conditions.length === 0) {
          link(ret(rule.action), deciding);
          pending = [];
          return;
        }
        const conds = rule.conditions.map((c, ci) => {
          const d = `${node}_r${ri}_c${ci}`;
          body.push(`    ${d} [shape=diamond, label=${quote(conditionText(c))}];`);
          return d;
        });
        link(conds[0]!);
        conds.forEach((d, ci) => (ci + 1 < conds.length ? edge(d, conds[ci + 1]!, 'yes') : edge(d, ret(rule.action), `yes: ${deciding}`)));
        pending = conds.map((from) => ({ from, label: 'no' }));
      });
      if (g.fallback) link(ret(g.fallback), 'default');
    });
    if (options.whole) {
      edge(`${id}_nr`, ret(s.defaultAction), 'any other nr: default');
      edge(`${id}_nr`, ret(s.newer), 'newer than the tables');
    } else {
      body.push(`    ${id}_rest [shape=plaintext, label="other syscalls: not drawn"];`);
      edge(`${id}_nr`, `${id}_rest`);
    }
    out.push(`  subgraph cluster_${si} {`, ...body, '  }');
    out.push(`  arch -> ${id}_nr [label=${quote(archLabel(s, e.sections))}];`);
  });
  out.push('  arch -> bad_arch [label="other arches"];', '}', '');
  return out.join('\n');
}
