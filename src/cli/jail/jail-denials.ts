/**
 * The denial report: one line per distinct call the policy refused with an errno, named with
 * the rule that decided, e.g.
 *   denied socket(AF_INET) -> EAFNOSUPPORT x3 [net-off: rules[4] policies/net-off.ts:31:5]
 * and, when the command exited 126/127 after an execve was refused, a line saying so. The
 * syscall tables, and the policy's source for the rule, load only when there is something
 * to report.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { SourceLocation } from '../../ir/spec.js';
import type { PolicyIR } from '../../ir/types.js';
import type { ObservedDenial } from '../../launcher/seccomp/notify-session.js';
import { errnoName } from '../../launcher/linux.js';
import { packageRoot } from '../../launcher/package-root.js';
import { argumentOfInterest } from '../../learn/arguments.js';
import { valueName } from '../../learn/value-names.js';

interface Attribution {
  readonly ir: PolicyIR;
  readonly locate: (index: number) => SourceLocation | undefined;
}

/** The policy's IR for naming rules: built-ins from their source in the package; undefined for a .bpf filter. */
async function attributionFor(policy: string): Promise<Attribution | undefined> {
  // Through the module jail's start-up loaded already: importing ../../source/kinds.js here would
  // make it a chunk of its own on that path.
  const { loadPolicySource, sourceKind } = await import('../../source/load.js');
  const kind = sourceKind(policy);
  if (kind === 'filter') return undefined;
  const file = kind === undefined ? join(packageRoot(), 'policies', `${policy}.ts`) : policy;
  if (!existsSync(file)) return undefined;
  try {
    const { ir, spec } = await loadPolicySource(file);
    return { ir, locate: (i) => spec?.rules[i]?.location };
  } catch {
    // The report then names the policy only.
    return undefined;
  }
}

function where(l: SourceLocation | undefined): string {
  if (!l) return '';
  const rel = relative(process.cwd(), l.file);
  const file = rel.startsWith('..') || isAbsolute(rel) || process.cwd() === '/' ? l.file : rel;
  return ` ${file}:${l.line}:${l.column}`;
}

/** Lines of distinct denials shown; the rest are summed up in one line. */
const SHOWN = 20;

/** The report's lines (without the "jail: " prefix), most frequent first. */
export async function denialReport(policy: string, all: readonly ObservedDenial[], exit: { code: number | null }, uncounted = 0): Promise<string[]> {
  if (all.length === 0) return [];
  const sorted = [...all].sort((a, b) => b.count - a.count);
  const denials = sorted.slice(0, SHOWN);
  const rest = sorted.slice(SHOWN);
  const [{ archForAudit }, { decidingRule }] = await Promise.all([import('../../syscalls/index.js'), import('../../analysis/deciding-rule.js')]);
  const attribution = await attributionFor(policy);
  const lines: string[] = [];
  const nameOf = (d: ObservedDenial) => archForAudit(d.arch, d.nr)?.names.get(d.nr >>> 0);
  const exec = sorted.find((d) => nameOf(d) === 'execve' || nameOf(d) === 'execveat');
  const refusedExec = exec && `${nameOf(exec)} -> ${exec.errno === 0 ? 'errno 0' : errnoName(exec.errno)}`;
  for (const d of denials) {
    const arch = archForAudit(d.arch, d.nr);
    const name = arch?.names.get(d.nr >>> 0) ?? `syscall ${d.nr}`;
    const interest = argumentOfInterest(name);
    const index = interest && arch ? interest.index(arch.name) : undefined;
    const value = index !== undefined ? d.args[index]! & interest!.mask : undefined;
    const shown = value !== undefined && arch ? (valueName(name, arch.name, value) ?? `0x${value.toString(16)}`) : '';
    const onArch = arch && arch.name !== 'x86_64' && arch.name !== 'aarch64' ? ` on ${arch.name}` : '';
    let decider = policy;
    if (attribution) {
      const r = decidingRule(attribution.ir, { arch: d.arch, nr: d.nr, args: d.args });
      decider += r.kind === 'rule' ? `: ${r.rule.origin.path}${where(attribution.locate(r.rule.origin.index))}` : `: ${r.kind === 'default' ? 'default' : r.kind}`;
    }
    const error = d.errno === 0 ? 'errno 0 (success, not run)' : errnoName(d.errno);
    lines.push(`denied ${name}(${shown})${onArch} -> ${error} x${d.count} [${decider}]`);
  }
  if (rest.length > 0 || uncounted > 0) {
    const calls = rest.reduce((n, d) => n + d.count, 0) + uncounted;
    lines.push(`and ${rest.length}${uncounted > 0 ? '+' : ''} more distinct denied calls (${calls} in all)`);
  }
  if (refusedExec && (exit.code === 126 || exit.code === 127)) {
    lines.push(`the command exited ${exit.code} after the policy refused ${refusedExec}: the program it ran could not start another`);
  }
  return lines;
}
