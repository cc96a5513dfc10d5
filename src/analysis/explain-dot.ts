/**
 * The decision tree of one syscall as Graphviz text (`seccompile explain --format dot`): per arch
 * and route (./explain.ts), a chain of condition diamonds per rule, in order; "yes" on the last
 * condition reaches the rule's action, "no" on any condition falls to the next rule, the last to
 * the default. Rules an earlier unconditional rule hides are left out. Deterministic output.
 */
import type { Action } from '../seccomp/abi.js';
import { actionText } from './action-text.js';
import { conditionText, type SyscallExplanation } from './explain.js';

/** A Graphviz double-quoted string. */
export const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** `\np.ts:12` for a label: the file's base name and the line. */
export function shortLocation(l: { file: string; line: number; column: number } | undefined): string {
  return l ? `\n${l.file.split('/').pop()}:${l.line}` : '';
}

/** Green for actions that let the call run, red for the others. */
export function actionFill(action: Action): string {
  return action.kind === 'allow' || action.kind === 'log' ? '#d8f0d8' : '#f4d6d6';
}

/** A digraph with one cluster per (arch, route) of the given explanations. */
export function explanationDot(explanations: readonly SyscallExplanation[]): string {
  const name = explanations[0]?.syscall ?? 'syscall';
  const out: string[] = [`digraph ${quote(name)} {`, '  node [fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  let cluster = 0;
  for (const x of explanations) {
    for (const r of x.routes) {
      const id = `c${cluster}`;
      const title = r.via ? `${x.syscall} on ${x.arch}: ${r.via.syscall} (nr ${r.nr}) sub-call ${r.via.subCall}` : `${x.syscall} on ${x.arch} (nr ${r.nr})`;
      out.push(`  subgraph cluster_${cluster} {`, `    label=${quote(title)};`);
      out.push(`    ${id}_in [shape=box, style=rounded, label=${quote(r.via ? `${r.via.syscall}(${r.via.subCall})` : x.syscall)}];`);
      // `pending`: edges still waiting for the start of the next rule (or the default).
      let pending: { from: string; label?: string }[] = [{ from: `${id}_in` }];
      const link = (to: string) => {
        for (const p of pending) out.push(`    ${p.from} -> ${to}${p.label ? ` [label=${quote(p.label)}]` : ''};`);
      };
      r.rules.forEach((rule, i) => {
        if (rule.unreachable) return;
        const action = `${id}_r${i}`;
        out.push(`    ${action} [shape=box, style=filled, fillcolor=${quote(actionFill(rule.action))}, label=${quote(`${actionText(rule.action, x.arch)}\n${rule.origin.path}${shortLocation(rule.location)}`)}];`);
        if (rule.conditions.length === 0) {
          link(action);
          pending = [];
          return;
        }
        const conds = rule.conditions.map((c, j) => {
          const node = `${id}_r${i}_c${j}`;
          out.push(`    ${node} [shape=diamond, label=${quote(conditionText(c))}];`);
          return node;
        });
        link(conds[0]!);
        conds.forEach((node, j) => out.push(`    ${node} -> ${conds[j + 1] ?? action} [label="yes"];`));
        pending = conds.map((from) => ({ from, label: 'no' }));
      });
      if (r.fallback) {
        out.push(`    ${id}_default [shape=box, style=filled, fillcolor=${quote(actionFill(r.fallback))}, label=${quote(`${actionText(r.fallback, x.arch)}\ndefault`)}];`);
        link(`${id}_default`);
      }
      out.push('  }');
      cluster++;
    }
  }
  out.push('}', '');
  return out.join('\n');
}
