/**
 * Export: PolicyIR -> an OCI / Docker seccomp profile (JSON) or a Security Profiles Operator
 * `SeccompProfile` resource (YAML), deciding under runc + libseccomp exactly as the IR does.
 *
 * OCI profiles are per syscall name, not per arch, and runc gives them unordered semantics
 * (lower.ts): alternatives of different actions must not overlap, conditions on one argument
 * are ORed, a rule with the default action is dropped, an unconditional rule overrides the rest.
 * So each syscall's first-match rules are rewritten into disjoint pieces (a later rule minus the
 * earlier rules with other actions, through negated conditions), with at most one condition per
 * argument. The result is then imported back (lower.ts, runc's semantics) and compared with the
 * IR on every syscall number of every arch and the argument values around every constant: any
 * difference (a per-arch rule, a negated mask, a range needing two conditions, a bad-arch or
 * newer action runc cannot express) is an OciExportError naming it, never a weaker profile.
 */
import type { Action } from '../seccomp/abi.js';
import { actionToRet, formatAction } from '../seccomp/abi.js';
import { OPERATORS } from '../ir/operators.js';
import type { Condition, PolicyIR, Rule } from '../ir/types.js';
import { ARCH_NAMES, ARCHES } from '../syscalls/index.js';
import { satisfiable } from './overlap.js';
import { MAX_PIECES, mergePerArg, nativeProduct, negate, PieceLimitError } from './conditions.js';
import { SCMP_ARCH_OF } from './resolve.js';
import { verifyExport } from './verify.js';

/** The IR says something an OCI profile cannot. */
export class OciExportError extends Error {
  override readonly name = 'OciExportError';
}

export interface OciExportOptions {
  /** metadata.name of the k8s resource (default 'seccompile-profile'). */
  readonly name?: string;
}

export interface OciArgOut {
  readonly index: number;
  readonly value: bigint;
  readonly valueTwo: bigint;
  readonly op: string;
}

export interface OciSyscallOut {
  readonly names: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args: readonly OciArgOut[];
}

export interface OciProfileOut {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly syscalls: readonly OciSyscallOut[];
}

export interface OciExport {
  readonly profile: OciProfileOut;
  /** What the profile cannot carry but does not weaken (e.g. the bad-arch action). */
  readonly warnings: readonly string[];
}


/** PolicyIR -> OCI profile; throws OciExportError when runc could not decide the same. */
export function exportOciProfile(ir: PolicyIR): OciExport {
  if (ir.sections.length === 0) throw new OciExportError('the policy has no architecture');
  const warnings: string[] = [];
  const def = ir.sections[0]!.defaultAction;
  for (const s of ir.sections) {
    if (actionToRet(s.defaultAction) !== actionToRet(def)) {
      throw new OciExportError(`default actions differ per arch (${ir.sections[0]!.arch}: ${formatAction(def)}, ${s.arch}: ${formatAction(s.defaultAction)}); an OCI profile has one`);
    }
  }
  if (def.kind === 'user_notif') throw new OciExportError('USER_NOTIF cannot be the default action of an OCI profile (runc refuses it)');
  if (ir.badArch.kind !== 'kill_thread') {
    warnings.push(`an OCI profile cannot set the bad-arch action: runc uses KILL_THREAD where the policy says ${formatAction(ir.badArch)}`);
  }
  const defaultOut = ociActionOut(def, 'the default action');
  const byName = new Map<string, Piece[]>();
  const order: string[] = [];
  // A name's rules come from the first arch (in ARCH_NAMES order: 64-bit ABIs first) that has
  // it; the verification below catches an arch that means something else by the same name.
  // socketcall/ipc entries are exported too: libseccomp adds rules of the same action there from
  // the socket and IPC calls, and alternatives of one action just add up.
  const sections = [...ir.sections].sort((a, b) => ARCH_NAMES.indexOf(a.arch) - ARCH_NAMES.indexOf(b.arch));
  for (const section of sections) {
    const width = ARCHES[section.arch].wordSize;
    for (const entry of section.syscalls) {
      if (byName.has(entry.name)) continue;
      try {
        byName.set(entry.name, disjointPieces(entry.name, entry.rules, def, width));
      } catch (e) {
        if (e instanceof PieceLimitError) throw new OciExportError(`${entry.name}: ${e.message}`);
        throw e;
      }
      order.push(entry.name);
    }
  }
  const groups = new Map<string, { names: string[]; piece: Piece }>();
  for (const name of order) {
    for (const piece of byName.get(name)!) {
      const key = pieceKey(piece);
      const g = groups.get(key);
      if (g) g.names.push(name);
      else groups.set(key, { names: [name], piece });
    }
  }
  const syscalls: OciSyscallOut[] = [...groups.values()].map(({ names, piece }) => ({
    names,
    ...ociActionOut(piece.action, `the action of ${names[0]}`),
    args: piece.conditions.map(argOut),
  }));
  // runc's -ENOSYS stub starts above the largest syscall the profile names on each arch: name
  // the largest one the tables know (with the default action, which runc then drops), so the
  // stub starts where the policy's `newer` does above the last known span. Below it, on arm and
  // x32, runc's stub cannot reach the newer numbers before the private calls (verify.ts).
  if (!['allow', 'log', 'trace'].includes(def.kind)) {
    const tops = new Set<string>();
    for (const s of ir.sections) {
      const last = s.knownNrs[s.knownNrs.length - 1];
      const top = last ? ARCHES[s.arch].names.get(last.end - 1) : undefined;
      if (top !== undefined) tops.add(top);
    }
    if (tops.size > 0) syscalls.push({ names: [...tops].sort(), ...defaultOut, args: [] });
  }
  const architectures = ARCH_NAMES.filter((a) => ir.sections.some((s) => s.arch === a)).map((a) => SCMP_ARCH_OF[a]);
  const profile: OciProfileOut = { ...renameDefault(defaultOut), architectures, syscalls };
  const seen = verifyExport(ir, profile, (m) => new OciExportError(m));
  warnings.push(...seen.filter((w) => w.includes('oci-libseccomp-range-bug') || w.includes('oci-newer-gap')));
  return { profile, warnings };
}

/** The profile as JSON text (u64 values written exactly). */
export function ociProfileJson(profile: OciProfileOut): string {
  const lines: string[] = ['{', `  "defaultAction": ${JSON.stringify(profile.defaultAction)},`];
  if (profile.defaultErrnoRet !== undefined) lines.push(`  "defaultErrnoRet": ${profile.defaultErrnoRet},`);
  lines.push(`  "architectures": [${profile.architectures.map((a) => JSON.stringify(a)).join(', ')}],`);
  lines.push('  "syscalls": [');
  profile.syscalls.forEach((s, i) => {
    const parts = [`"names": [${s.names.map((n) => JSON.stringify(n)).join(', ')}]`, `"action": ${JSON.stringify(s.action)}`];
    if (s.errnoRet !== undefined) parts.push(`"errnoRet": ${s.errnoRet}`);
    if (s.args.length > 0) {
      const args = s.args.map((a) => `{ "index": ${a.index}, "value": ${a.value}, "valueTwo": ${a.valueTwo}, "op": ${JSON.stringify(a.op)} }`);
      parts.push(`"args": [${args.join(', ')}]`);
    }
    lines.push(`    { ${parts.join(', ')} }${i < profile.syscalls.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}');
  return lines.join('\n') + '\n';
}

/**
 * The profile as a Security Profiles Operator SeccompProfile (security-profiles-operator.x-k8s.io
 * /v1beta1), YAML written by hand: every scalar is a plain number or a double-quoted string.
 */
export function exportK8sProfile(profile: OciProfileOut, options: OciExportOptions = {}): string {
  const name = options.name ?? 'seccompile-profile';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    throw new OciExportError(`'${name}' is not a valid Kubernetes resource name (lowercase letters, digits, '-' and '.')`);
  }
  if (profile.defaultErrnoRet !== undefined && profile.defaultErrnoRet !== 1) {
    throw new OciExportError(`a SeccompProfile has no defaultErrnoRet: its default ERRNO is EPERM, the policy's is ${profile.defaultErrnoRet}`);
  }
  const q = (s: string) => JSON.stringify(s);
  const out = [
    'apiVersion: security-profiles-operator.x-k8s.io/v1beta1',
    'kind: SeccompProfile',
    'metadata:',
    `  name: ${q(name)}`,
    'spec:',
    `  defaultAction: ${q(profile.defaultAction)}`,
    '  architectures:',
    ...profile.architectures.map((a) => `    - ${q(a)}`),
    '  syscalls:',
  ];
  for (const s of profile.syscalls) {
    out.push(`    - action: ${q(s.action)}`);
    if (s.errnoRet !== undefined) out.push(`      errnoRet: ${s.errnoRet}`);
    out.push('      names:', ...s.names.map((n) => `        - ${q(n)}`));
    if (s.args.length > 0) {
      out.push('      args:');
      for (const a of s.args) out.push(`        - index: ${a.index}`, `          value: ${a.value}`, `          valueTwo: ${a.valueTwo}`, `          op: ${q(a.op)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** One disjoint OCI rule: conditions (at most one per argument) and an action. */
interface Piece {
  readonly conditions: readonly Condition[];
  readonly action: Action;
}

/**
 * First-match rules -> pieces runc decides the same way whatever their order: a rule keeps only
 * what no earlier rule with another action (the default's included) already decides. `width` is
 * what libseccomp compares on the arch the rules come from (64, or 32 on 32-bit ABIs).
 */
function disjointPieces(name: string, rules: readonly Rule[], def: Action, width: 32 | 64): Piece[] {
  const out: Piece[] = [];
  const earlier: Rule[] = [];
  for (const rule of rules) {
    let terms: Condition[][] = [[...rule.conditions]];
    for (const e of earlier) {
      if (actionToRet(e.action) === actionToRet(rule.action)) continue;
      terms = terms.flatMap((t) => subtract(t, e.conditions));
      if (terms.length > MAX_PIECES) throw new OciExportError(`${name} (${rule.origin.path}): more than ${MAX_PIECES} OCI rules would be needed`);
    }
    earlier.push(rule);
    if (actionToRet(rule.action) === actionToRet(def)) continue; // runc drops it; falling through is the same
    for (const t of terms) {
      for (const conj of nativeProduct(t, width)) {
        for (const merged of mergePerArg(conj, `${name} (${rule.origin.path})`)) out.push({ conditions: merged, action: rule.action });
      }
    }
    if (out.length > MAX_PIECES) throw new OciExportError(`${name} (${rule.origin.path}): more than ${MAX_PIECES} OCI rules would be needed`);
  }
  // An unconditional piece decides alone under libseccomp: only pieces of its own action can be
  // left beside it (others were subtracted), so it is all that is needed.
  const whole = out.find((p) => p.conditions.length === 0);
  return whole ? [whole] : dedupe(out);
}

/** p AND NOT(e1 AND e2 ...) as disjoint conjunctions: p.¬e1, p.e1.¬e2, ... (unsatisfiable ones dropped). */
function subtract(p: readonly Condition[], e: readonly Condition[]): Condition[][] {
  if (!satisfiable([...p, ...e])) return [[...p]];
  const out: Condition[][] = [];
  const prefix: Condition[] = [];
  for (const c of e) {
    for (const alt of negate(c)) {
      const term = [...p, ...prefix, alt];
      if (satisfiable(term)) out.push(term);
    }
    prefix.push(c);
  }
  return out;
}

function dedupe(pieces: readonly Piece[]): Piece[] {
  const seen = new Set<string>();
  return pieces.filter((p) => {
    const k = pieceKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function pieceKey(p: Piece): string {
  return `${actionToRet(p.action)}|${p.conditions.map((c) => `${c.arg}${c.op}${c.value}/${c.mask}`).join(',')}`;
}

function argOut(c: Condition): OciArgOut {
  const op = OPERATORS[c.op];
  // libseccomp's MASKED_EQ takes the mask first (value) and the compared bits second (valueTwo).
  return op.masked ? { index: c.arg, value: c.mask, valueTwo: c.value, op: op.oci } : { index: c.arg, value: c.value, valueTwo: 0n, op: op.oci };
}

function ociActionOut(a: Action, what: string): { action: string; errnoRet?: number } {
  switch (a.kind) {
    case 'allow':
      return { action: 'SCMP_ACT_ALLOW' };
    case 'log':
      return { action: 'SCMP_ACT_LOG' };
    case 'kill_process':
      return { action: 'SCMP_ACT_KILL_PROCESS' };
    case 'kill_thread':
      return { action: 'SCMP_ACT_KILL_THREAD' };
    case 'user_notif':
      return { action: 'SCMP_ACT_NOTIFY' };
    case 'errno':
      if (a.errno >= 4095) throw new OciExportError(`${what}: ERRNO(${a.errno}); libseccomp accepts errno values below 4095 only`);
      return { action: 'SCMP_ACT_ERRNO', errnoRet: a.errno };
    case 'trace':
      return { action: 'SCMP_ACT_TRACE', errnoRet: a.data };
    case 'trap':
      if (a.data !== 0) throw new OciExportError(`${what}: TRAP(${a.data}); runc's TRAP carries no data`);
      return { action: 'SCMP_ACT_TRAP' };
  }
}

function renameDefault(d: { action: string; errnoRet?: number }): { defaultAction: string; defaultErrnoRet?: number } {
  return { defaultAction: d.action, ...(d.errnoRet !== undefined ? { defaultErrnoRet: d.errnoRet } : {}) };
}


