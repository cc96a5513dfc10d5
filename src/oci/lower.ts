/**
 * runc + libseccomp's half: the runtime-spec rules of a resolved profile -> PolicyIR, deciding
 * exactly as the filter runc loads (libcontainer/seccomp InitSeccomp, matchCall, patchbpf; libseccomp
 * 2.5 db.c db_rule_add and arch.c/syscalls.c abi_rule_add). The rules it follows, each checked
 * against libseccomp by test/oci/libseccomp.test.ts:
 *  - actions: KILL is KILL_THREAD; ERRNO and TRACE take errnoRet (default EPERM), TRAP ignores it;
 *    a rule whose action equals the default action is dropped;
 *  - the filter covers the native arch plus `architectures`; a name is resolved on each arch by
 *    name and applies where it exists; a name no table knows is ignored (runc logs it);
 *  - conditions: on 32-bit ABIs (x86, x32, arm) only the low 32 bits of argument and value are
 *    compared; MASKED_EQ compares (arg & mask) == (value & mask); a MASKED_EQ with a zero mask is
 *    dropped (always true); when one entry has several conditions on the same index, runc adds each
 *    condition as a rule of its own, so they are ORed;
 *  - socket and SysV IPC calls on arches with socketcall/ipc also get a rule on the multiplexer
 *    with argument 0 replaced by `== call` (the other conditions stay, read from the multiplexer's
 *    own arguments, as libseccomp does);
 *  - per syscall: the first unconditional rule decides alone (later rules are ignored and earlier
 *    conditional ones are discarded); otherwise conditional rules are alternatives. Where two of
 *    them with different actions can match the same call, libseccomp picks by its tree order (or
 *    fails with EEXIST): seccompile reports an error instead of guessing;
 *  - runc's -ENOSYS stub: unless the default action is ALLOW, LOG or TRACE, numbers above the
 *    largest one the profile names on an arch get ERRNO(ENOSYS) (`newer`, with knownNrs one span
 *    from nrBase to that syscall: on arm and x32 it runs across the numbers between the regular
 *    and the private calls, which runc's stub never reaches), and on s390x nr 0 too.
 */
import { actionToRet, type Action } from '../seccomp/abi.js';
import { CMP_OPS, condition, OPERATORS, type CmpOp } from '../ir/operators.js';
import type { ArchSection, Condition, PolicyIR, Rule, SyscallRules } from '../ir/types.js';
import { ARCHES, isKnownSyscall, multiplexedCalls, resolveSyscall, suggestSyscalls, syscallName } from '../syscalls/index.js';
import type { Arch, ArchName } from '../syscalls/arch.js';
import { at, type OciSink } from './diagnostic.js';
import { checkOverlaps, checkRangeBug, type DbRule } from './ambiguity.js';
import type { OciActionName, OciArg, OciProfile } from './profile.js';
import { SCMP_ARCHES, type ResolvedProfile, type SpecRule } from './resolve.js';

const EPERM = 1;
const ENOSYS = 38;
const U32 = 0xffffffffn;
const U64 = (1n << 64n) - 1n;

/** libseccomp's default bad-arch action (SCMP_ACT_KILL); runc does not change it. */
export const OCI_BAD_ARCH: Action = { kind: 'kill_thread' };

/** runc getAction. */
export function ociAction(name: OciActionName, errnoRet: number | undefined): Action {
  switch (name) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return { kind: 'kill_thread' };
    case 'SCMP_ACT_KILL_PROCESS':
      return { kind: 'kill_process' };
    case 'SCMP_ACT_ERRNO':
      return { kind: 'errno', errno: errnoRet ?? EPERM };
    case 'SCMP_ACT_TRACE':
      return { kind: 'trace', data: errnoRet ?? EPERM };
    case 'SCMP_ACT_TRAP':
      return { kind: 'trap', data: 0 };
    case 'SCMP_ACT_ALLOW':
      return { kind: 'allow' };
    case 'SCMP_ACT_LOG':
      return { kind: 'log' };
    case 'SCMP_ACT_NOTIFY':
      return { kind: 'user_notif' };
  }
}

/** The arches the filter covers: the native one first, then `architectures` (runc AddArch). */
export function filterArches(native: ArchName, resolved: ResolvedProfile, sink: OciSink): ArchName[] {
  const out: ArchName[] = [native];
  for (const a of resolved.architectures) {
    const ours = Object.hasOwn(SCMP_ARCHES, a.value) ? SCMP_ARCHES[a.value] : undefined;
    if (ours === undefined) {
      sink.error('oci-unknown-arch', a.path, `unknown architecture '${a.value}'; known: ${Object.keys(SCMP_ARCHES).join(', ')}`, at(a.pos));
    } else if (ours === null) {
      sink.warning('oci-unsupported-arch', a.path, `seccompile does not target ${a.value}: its processes get the bad-arch action (KILL_THREAD), never the profile's rules`, at(a.pos));
    } else if (!out.includes(ours)) out.push(ours);
  }
  const endians = new Set(out.map((a) => ARCHES[a].endian));
  if (endians.size > 1) {
    sink.error('oci-mixed-endian', 'architectures', `${out.join(', ')} mix byte orders; one filter serves one byte order (libseccomp refuses with EDOM)`);
  }
  return out;
}

/** Lowers a resolved profile to the IR; undefined when errors were reported. */
export function lowerProfile(profile: OciProfile, resolved: ResolvedProfile, arches: readonly ArchName[], sink: OciSink): PolicyIR | undefined {
  const defaultAction = ociAction(profile.defaultAction, profile.defaultErrnoRet);
  if (profile.defaultAction === 'SCMP_ACT_NOTIFY') sink.error('oci-notify-default', 'defaultAction', 'SCMP_ACT_NOTIFY cannot be the default action (runc refuses it)');
  if (profile.defaultErrnoRet !== undefined && !['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'].includes(profile.defaultAction)) {
    sink.warning('oci-errno-ignored', 'defaultErrnoRet', `ignored: ${profile.defaultAction} takes no errno`);
  }
  if (defaultAction.kind === 'errno' && defaultAction.errno >= MAX_LIBSECCOMP_ERRNO) errnoTooLarge('defaultErrnoRet', defaultAction.errno, sink);
  const rules = checkRules(resolved.rules, sink);
  if (rules.some((r) => r.action === 'SCMP_ACT_NOTIFY')) {
    const where = profile.listenerPath ? `the listener at ${profile.listenerPath}` : 'a listener, and the profile sets no listenerPath';
    sink.warning('oci-listener-unsupported', 'listenerPath', `SCMP_ACT_NOTIFY hands calls to ${where}; seccompile compiles the filter, but \`jail\` cannot be that listener`);
  }
  const stub = !['allow', 'log', 'trace'].includes(defaultAction.kind);
  const defaultRet = actionToRet(defaultAction);
  const sections: ArchSection[] = [];
  for (const name of arches) {
    const arch = ARCHES[name];
    const db: DbRule[] = [];
    let last: number | undefined;
    for (const r of rules) {
      const nr = resolveSyscall(arch, r.name.value);
      const stubNr = stubNumber(arch, r.name.value, nr);
      if (stubNr !== undefined && (last === undefined || stubNr > last)) last = stubNr;
      const action = ociAction(r.action, r.errnoRet);
      if (actionToRet(action) === defaultRet) continue; // runc matchCall: redundant, skipped
      db.push(...dbRules(arch, r, action, nr, sink));
    }
    const syscalls = mergeRules(arch, db, sink);
    const withStub = stub && last !== undefined && last !== 0; // runc: "largestSyscall != 0"
    const s390Setup = withStub && name === 's390x';
    sections.push({
      arch: name,
      auditArch: arch.auditArch,
      nrBase: arch.nrBase,
      knownNrs: withStub ? [{ start: arch.nrBase, end: last! + 1 }] : arch.knownNrs,
      syscalls: s390Setup ? setupEnosys(syscalls) : syscalls,
      defaultAction,
      newer: withStub ? { kind: 'errno', errno: ENOSYS } : defaultAction,
      endian: arch.endian,
    });
  }
  if (sink.hasErrors) return undefined;
  sections.sort((a, b) => a.auditArch - b.auditArch || a.nrBase - b.nrBase);
  return { sections, badArch: OCI_BAD_ARCH };
}

/**
 * The number runc's findLastSyscalls sees for `name`: libseccomp's seccomp_syscall_resolve_name_arch,
 * which answers the multiplexer's number for socket and IPC calls on arches that have one.
 */
function stubNumber(arch: Arch, name: string, nr: number | undefined): number | undefined {
  const mux = multiplexedCalls(arch, name);
  return mux.length > 0 ? mux[0]!.multiplexer.nr : nr;
}

/** Per-rule checks that do not depend on the arch; returns the rules to lower. */
function checkRules(rules: readonly SpecRule[], sink: OciSink): SpecRule[] {
  const unknown = new Set<string>();
  const split = new Set<string>();
  for (const r of rules) {
    if (!isKnownSyscall(r.name.value) && !unknown.has(r.name.value)) {
      unknown.add(r.name.value);
      const near = suggestSyscalls(r.name.value, 3);
      const hint = near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
      sink.warning('oci-unknown-syscall', r.name.path, `unknown syscall '${r.name.value}'${hint}: no arch has it, so runc ignores it, and so does seccompile`, at(r.name.pos));
    }
    if (r.action === 'SCMP_ACT_NOTIFY' && r.name.value === 'write') {
      sink.error('oci-notify-write', r.name.path, 'SCMP_ACT_NOTIFY cannot be used for write (runc refuses it: its own start-up needs write)', at(r.name.pos));
    }
    if (r.errnoRet !== undefined && !['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'].includes(r.action) && !split.has(`${r.entryPath}#errno`)) {
      split.add(`${r.entryPath}#errno`);
      sink.warning('oci-errno-ignored', `${r.entryPath}.errnoRet`, `ignored: ${r.action} takes no errno`);
    }
    if (r.action === 'SCMP_ACT_ERRNO' && r.errnoRet !== undefined && r.errnoRet >= MAX_LIBSECCOMP_ERRNO) errnoTooLarge(`${r.entryPath}.errnoRet`, r.errnoRet, sink);
    if (hasRepeatedIndex(r.args) && !split.has(r.entryPath)) {
      split.add(r.entryPath);
      sink.warning('oci-split-conditions', `${r.entryPath}.args`, 'several conditions on the same argument: runc adds each condition as a separate rule, so they are ORed, not ANDed');
    }
  }
  return [...rules];
}

/** libseccomp's sys_chk_seccomp_action accepts ERRNO(n) only for n < MAX_ERRNO (4095). */
const MAX_LIBSECCOMP_ERRNO = 4095;

function errnoTooLarge(path: string, errno: number, sink: OciSink): void {
  sink.error('oci-errno-range', path, `ERRNO(${errno}): libseccomp accepts errno values below 4095 only, so runc would refuse the profile`);
}

function hasRepeatedIndex(args: readonly OciArg[]): boolean {
  return new Set(args.map((a) => a.index)).size !== args.length;
}

/** libseccomp db rules for one runtime-spec rule on one arch (direct and multiplexed). */
function dbRules(arch: Arch, r: SpecRule, action: Action, nr: number | undefined, sink: OciSink): DbRule[] {
  const groups = r.args.length === 0 ? [[]] : hasRepeatedIndex(r.args) ? r.args.map((a) => [a]) : [r.args];
  const origin = { index: r.entryIndex, path: r.name.path };
  const out: DbRule[] = [];
  for (const group of groups) {
    const conditions = group.map((a) => argCondition(arch, a, sink)).filter((c): c is Condition => c !== undefined);
    for (const m of multiplexedCalls(arch, r.name.value)) {
      const call = condition(0, 'eq', arch.wordSize, BigInt(m.call));
      out.push({ nr: m.multiplexer.nr, conditions: [call, ...conditions.filter((c) => c.arg !== 0)], action, origin });
    }
    if (nr !== undefined) out.push({ nr, conditions, action, origin });
  }
  return out;
}

/** SCMP_CMP_* -> the IR operator, from the operator table. */
const OPS: ReadonlyMap<string, CmpOp> = new Map(CMP_OPS.map((op) => [OPERATORS[op].oci, op]));

/** One OCI condition as libseccomp compares it on `arch`; undefined when it is always true. */
function argCondition(arch: Arch, a: OciArg, sink: OciSink): Condition | undefined {
  const width = arch.wordSize;
  const max = width === 32 ? U32 : U64;
  const op = OPS.get(a.op);
  if (op === undefined) throw new Error(`internal: no operator for ${a.op}`);
  if (OPERATORS[op].masked) {
    // MASKED_EQ: value is the mask, valueTwo the compared bits
    const mask = a.value & max;
    if (mask === 0n) return undefined; // (x & 0) == 0: libseccomp emits no test at all
    if (width === 32 && (a.value > U32 || a.valueTwo > U32)) truncated(arch, a, sink);
    return condition(a.index, op, width, a.valueTwo & mask, mask);
  }
  if (width === 32 && a.value > U32) truncated(arch, a, sink);
  return condition(a.index, op, width, a.value & max);
}

const warnedTruncation = new WeakSet<OciArg>();
function truncated(arch: Arch, a: OciArg, sink: OciSink): void {
  if (warnedTruncation.has(a)) return;
  warnedTruncation.add(a);
  sink.warning('oci-truncated-value', a.path, `on ${arch.name} (a 32-bit ABI) libseccomp compares only the low 32 bits, so this value is cut to its low 32 bits`, at(a.pos));
}

/** libseccomp db_rule_add's merging, per syscall number, as first-match IR rules. */
function mergeRules(arch: Arch, db: readonly DbRule[], sink: OciSink): SyscallRules[] {
  const byNr = new Map<number, DbRule[]>();
  for (const r of db) {
    const list = byNr.get(r.nr);
    if (list) list.push(r);
    else byNr.set(r.nr, [r]);
  }
  const out: SyscallRules[] = [];
  for (const [nr, list] of [...byNr].sort((a, b) => a[0] - b[0])) {
    const uncond = list.find((r) => r.conditions.length === 0);
    let rules: readonly DbRule[];
    if (uncond) rules = [uncond];
    else {
      rules = list;
      checkOverlaps(arch, nr, list, sink);
      checkRangeBug(arch, nr, list, sink);
    }
    out.push({
      nr,
      name: syscallName(arch, nr) ?? `nr ${nr}`,
      rules: rules.map((r) => ({ conditions: r.conditions, action: r.action, origin: r.origin })),
    });
  }
  return out;
}

/** runc's stub on s390x: nr 0 (setup, the multiplexer of large syscall numbers) gets ENOSYS first. */
function setupEnosys(syscalls: readonly SyscallRules[]): SyscallRules[] {
  const rule: Rule = { conditions: [], action: { kind: 'errno', errno: ENOSYS }, origin: { index: -1, path: 'runc -ENOSYS stub' } };
  const rest = syscalls.filter((s) => s.nr !== 0);
  return [{ nr: 0, name: syscallName(ARCHES.s390x, 0) ?? 'nr 0', rules: [rule] }, ...rest];
}
