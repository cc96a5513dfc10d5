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
import type { CmpOp, Condition, PolicyIR, Rule } from '../ir/types.js';
import { ARCH_NAMES, ARCHES } from '../syscalls/index.js';
import { satisfiable } from './overlap.js';
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

const OP_NAME: Readonly<Record<CmpOp, string>> = {
  eq: 'SCMP_CMP_EQ',
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  gt: 'SCMP_CMP_GT',
  ge: 'SCMP_CMP_GE',
  masked_eq: 'SCMP_CMP_MASKED_EQ',
};

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
      byName.set(entry.name, disjointPieces(entry.name, entry.rules, def, width));
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
  // stub starts where the policy's `newer` does.
  if (!['allow', 'log', 'trace'].includes(def.kind)) {
    const tops = new Set<string>();
    for (const s of ir.sections) {
      const top = ARCHES[s.arch].names.get(s.maxNr);
      if (top !== undefined) tops.add(top);
    }
    if (tops.size > 0) syscalls.push({ names: [...tops].sort(), ...defaultOut, args: [] });
  }
  const architectures = ARCH_NAMES.filter((a) => ir.sections.some((s) => s.arch === a)).map((a) => SCMP_ARCH_OF[a]);
  const profile: OciProfileOut = { ...renameDefault(defaultOut), architectures, syscalls };
  verifyExport(ir, profile, (m) => new OciExportError(m));
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

/** Past this many pieces for one syscall, the profile would be unreadable: refuse instead. */
const MAX_PIECES = 512;

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
        for (const merged of mergePerArg(conj, name, rule)) out.push({ conditions: merged, action: rule.action });
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

/**
 * NOT c as disjoint alternatives of the same width: comparisons flip; a mask test fails when
 * some masked bit differs, i.e. for the k-th masked bit: the lower masked bits match and bit k
 * does not (one MASKED_EQ each).
 */
function negate(c: Condition): Condition[] {
  const flip: Partial<Record<CmpOp, CmpOp>> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le' };
  const op = flip[c.op];
  if (op) return [{ arg: c.arg, op, width: c.width, value: c.value }];
  const mask = c.mask ?? 0n;
  const out: Condition[] = [];
  let lower = 0n;
  for (let bit = 1n; bit <= mask; bit <<= 1n) {
    if (!(mask & bit)) continue;
    out.push({ arg: c.arg, op: 'masked_eq', width: c.width, mask: lower | bit, value: (c.value & lower) | (~c.value & bit) });
    lower |= bit;
  }
  return out;
}

/**
 * A conjunction of IR conditions -> disjoint conjunctions of conditions libseccomp compares at
 * `width`. Conditions on one argument are first combined at their own width (so three `ne` on an
 * int become one `ge`, not 32^3 mask tests), then translated.
 */
function nativeProduct(conds: readonly Condition[], width: 32 | 64): Condition[][] {
  let out: Condition[][] = [[]];
  for (let arg = 0; arg < 6; arg++) {
    const group = conds.filter((c) => c.arg === arg);
    if (group.length === 0) continue;
    const sameWidth = group.every((c) => c.width === group[0]!.width);
    const combined = group.length === 1 || !sameWidth ? group.map((c) => [c]) : [argAlternatives(group)];
    // Each element of `combined` is a set of alternatives that must all be ANDed (one per condition
    // when the widths differ, else a single set of disjoint alternatives).
    for (const set of combined) {
      if (set === 'always') continue;
      const alts = set.flatMap((c) => {
        const n = native(c, width);
        return n === 'always' ? [undefined] : n;
      });
      out = out.flatMap((o) => alts.map((a) => (a ? [...o, a] : o)));
      if (out.length > MAX_PIECES) throw new OciExportError(`more than ${MAX_PIECES} OCI rules would be needed for one syscall`);
    }
  }
  return out;
}

const LOW = 0xffffffffn;

/**
 * One IR condition as libseccomp can compare it at `width`, as disjoint alternatives ('always',
 * or [] for never). On a 64-bit ABI, a 32-bit view (an int argument) becomes MASKED_EQ tests on
 * the low half: `eq` one test, `lt`/`gt` one per bit where the result is decided (the higher
 * bits equal, this bit below/above). On a 32-bit ABI, where libseccomp compares only the low
 * half and the kernel's arguments have no upper half, a 64-bit comparison is its low-half one
 * (or a constant when the value needs more than 32 bits).
 */
function native(c: Condition, width: 32 | 64): Condition[] | 'always' {
  const low = (op: CmpOp, value: bigint, mask?: bigint): Condition => ({ arg: c.arg, op, width, value, ...(mask !== undefined ? { mask } : {}) });
  if (c.width === width) return [c];
  if (width === 32) {
    if (c.op === 'masked_eq') {
      const mask = (c.mask ?? 0n) & LOW;
      if (c.value > LOW) return [];
      return mask === 0n ? (c.value === 0n ? 'always' : []) : [low('masked_eq', c.value, mask)];
    }
    if (c.value <= LOW) return [low(c.op, c.value)];
    return ['ne', 'lt', 'le'].includes(c.op) ? 'always' : [];
  }
  // width 64, a 32-bit view.
  switch (c.op) {
    case 'eq':
      return [low('masked_eq', c.value, LOW)];
    case 'masked_eq':
      return [low('masked_eq', c.value, c.mask ?? 0n)];
    case 'ne':
      return negate({ ...c, op: 'masked_eq', mask: LOW }).map((x) => ({ ...x, width }));
    case 'lt':
      return c.value === 0n ? [] : lowBelow(c, c.value);
    case 'le':
      return c.value === LOW ? 'always' : lowBelow(c, c.value + 1n);
    case 'gt':
      return c.value === LOW ? [] : lowAbove(c, c.value);
    case 'ge':
      return c.value === 0n ? 'always' : lowAbove(c, c.value - 1n);
  }
}

/** low32(x) < v: for each set bit i of v, the bits above i equal v's and bit i is clear. */
function lowBelow(c: Condition, v: bigint): Condition[] {
  const out: Condition[] = [];
  for (let i = 31n; i >= 0n; i--) {
    const bit = 1n << i;
    if (!(v & bit)) continue;
    const above = LOW & ~((bit << 1n) - 1n);
    out.push({ arg: c.arg, op: 'masked_eq', width: 64, mask: above | bit, value: v & above });
  }
  return out;
}

/** low32(x) > v: for each clear bit i of v, the bits above i equal v's and bit i is set. */
function lowAbove(c: Condition, v: bigint): Condition[] {
  const out: Condition[] = [];
  for (let i = 31n; i >= 0n; i--) {
    const bit = 1n << i;
    if (v & bit) continue;
    const above = LOW & ~((bit << 1n) - 1n);
    out.push({ arg: c.arg, op: 'masked_eq', width: 64, mask: above | bit, value: (v & above) | bit });
  }
  return out;
}

/**
 * Conditions ANDed -> disjoint conjunctions with at most one condition per argument (runc ORs
 * several on one argument). Per argument, the values the conditions allow are a union of
 * intervals, intersected with at most one mask test: each interval is one comparison when it
 * touches 0 or the top (or is one value), else aligned blocks, each a MASKED_EQ on its prefix.
 */
function mergePerArg(conds: readonly Condition[], name: string, rule: Pick<Rule, 'origin'>): Condition[][] {
  if (!satisfiable(conds)) return [];
  let out: Condition[][] = [[]];
  for (let arg = 0; arg < 6; arg++) {
    const on = conds.filter((c) => c.arg === arg);
    if (on.length === 0) continue;
    const alts = on.length === 1 ? [on[0]!] : argAlternatives(on);
    if (alts === 'always') continue;
    out = out.flatMap((o) => alts.map((c) => [...o, c]));
    if (out.length > MAX_PIECES) throw new OciExportError(`${name} (${rule.origin.path}): more than ${MAX_PIECES} OCI rules would be needed`);
  }
  return out;
}

/** Disjoint single conditions whose union is exactly what all `conds` (one argument, one width) allow. */
function argAlternatives(conds: readonly Condition[]): Condition[] | 'always' {
  const width = conds[0]!.width;
  const max = (1n << BigInt(width)) - 1n;
  const base = { arg: conds[0]!.arg, width };
  let lo = 0n;
  let hi = max;
  let mask = 0n;
  let want = 0n;
  const excluded = new Set<bigint>();
  for (const c of conds) {
    if (c.op === 'eq') [lo, hi] = [big(lo, c.value), small(hi, c.value)];
    else if (c.op === 'lt') hi = small(hi, c.value - 1n);
    else if (c.op === 'le') hi = small(hi, c.value);
    else if (c.op === 'gt') lo = big(lo, c.value + 1n);
    else if (c.op === 'ge') lo = big(lo, c.value);
    else if (c.op === 'ne') excluded.add(c.value);
    else {
      if (((want ^ c.value) & mask & (c.mask ?? 0n)) !== 0n) return [];
      mask |= c.mask ?? 0n;
      want |= c.value;
    }
  }
  // The allowed values: [lo, hi] minus the excluded ones, as intervals.
  const intervals: [bigint, bigint][] = [];
  let start = lo;
  for (const v of [...excluded].filter((x) => x >= lo && x <= hi).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (v > start) intervals.push([start, v - 1n]);
    start = v + 1n;
  }
  if (start <= hi && lo <= hi) intervals.push([start, hi]);
  const out: Condition[] = [];
  for (const [a, b] of intervals) {
    if (mask === 0n) {
      if (a === 0n && b === max) return 'always';
      if (a === b) out.push({ ...base, op: 'eq', value: a });
      else if (a === 0n) out.push({ ...base, op: 'le', value: b });
      else if (b === max) out.push({ ...base, op: 'ge', value: a });
      else for (const [bm, bv] of blocks(a, b, max)) out.push({ ...base, op: 'masked_eq', mask: bm, value: bv });
    } else {
      for (const [bm, bv] of blocks(a, b, max)) {
        if (((bv ^ want) & bm & mask) !== 0n) continue;
        out.push({ ...base, op: 'masked_eq', mask: bm | mask, value: (bv & bm) | want });
      }
    }
  }
  return out;
}

/** [a, b] as aligned power-of-two blocks, each (mask of its fixed prefix, its first value). */
function blocks(a: bigint, b: bigint, max: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let x = a;
  while (x <= b) {
    let size = 1n;
    while ((x & (size * 2n - 1n)) === 0n && x + size * 2n - 1n <= b && size * 2n - 1n <= max) size *= 2n;
    out.push([max & ~(size - 1n), x]);
    x += size;
    if (x > max) break;
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
  return `${actionToRet(p.action)}|${p.conditions.map((c) => `${c.arg}${c.op}${c.value}/${c.mask ?? ''}`).join(',')}`;
}

function argOut(c: Condition): OciArgOut {
  if (c.op === 'masked_eq') return { index: c.arg, value: c.mask ?? 0n, valueTwo: c.value, op: OP_NAME.masked_eq };
  return { index: c.arg, value: c.value, valueTwo: 0n, op: OP_NAME[c.op] };
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

const big = (a: bigint, b: bigint) => (a > b ? a : b);
const small = (a: bigint, b: bigint) => (a < b ? a : b);

