/**
 * The first half of normalize: checks a PolicySpec's shape, actions, syscall names and
 * conditions, reporting every mistake as a diagnostic with its path, and turns what is valid
 * into checked rules (conditions as IR conditions with bigint values, syscall names known on
 * some arch). Arch-independent; ./normalize.ts lowers the checked rules per arch.
 */
import type { ActionSpec, ConditionSpec, PolicySpec, RuleSpec, SetOp, SourceLocation } from './spec.js';
import { MAX_ERRNO, type Action } from '../seccomp/abi.js';
import type { ArchName } from '../syscalls/arch.js';
import { ERRNO_TABLE, errnoByName } from '../syscalls/errno.js';
import { groupSyscalls, isGroupName, unknownGroupMessage } from '../syscalls/group.js';
import { archByName, isKnownSyscall, unknownArchMessage, unknownSyscallMessage } from '../syscalls/index.js';
import { didYouMean, nearestNames } from '../syscalls/nearest.js';
import type { DiagnosticSink } from './diagnostics.js';
import { CMP_OPS, condition, conditionText, OPERATORS } from './operators.js';
import type { CmpOp, Condition } from './types.js';

const ARG_COUNT = 6;
const U64_LIMIT = 1n << 64n;
const U32_LIMIT = 1n << 32n;
/** How many single-comparison rules the `in` conditions of one rule may split into. */
export const MAX_ALTERNATIVES = 1024;

/** A rule whose action, syscall names and conditions passed the checks. */
export interface CheckedRule {
  readonly index: number;
  readonly path: string;
  readonly action: ActionSpec;
  /**
   * Known syscall names (duplicates removed, groups expanded), with the index in the rule's
   * `syscalls` of the name or group that brought them.
   */
  readonly syscalls: readonly { readonly name: string; readonly index: number }[];
  /**
   * The names only a group brought in (not also named on their own). An earlier rule deciding
   * some of a group's calls is the normal way to carve exceptions out of it, not a mistake, so
   * normalize does not report such names as shadowed.
   */
  readonly fromGroups: ReadonlySet<string>;
  readonly conditions: readonly Condition[];
  /** Where each condition's value was written (`rules[3].conditions[0].value`), in the same order. */
  readonly valuePaths: readonly string[];
  /** The arches the rule is restricted to; undefined: every target. */
  readonly arches?: ReadonlySet<ArchName>;
  readonly location?: SourceLocation;
  /**
   * For a rule an `in` condition split into several: which of its values this part takes, for
   * messages ("arg0 == 2"). The parts share the rule's index and path.
   */
  readonly alternative?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Checks an action; returns it when valid. */
export function checkAction(a: unknown, path: string, sink: DiagnosticSink, at?: SourceLocation): ActionSpec | undefined {
  if (!isObject(a) || typeof a.kind !== 'string') {
    sink.error('invalid-action', path, 'expected an action such as allow(), errno(\'EPERM\') or kill()', at);
    return undefined;
  }
  switch (a.kind) {
    case 'allow':
    case 'kill_process':
    case 'kill_thread':
    case 'log':
    case 'user_notif':
      return { kind: a.kind };
    case 'errno': {
      const e = a.errno;
      if (typeof e === 'string') {
        if (errnoByName(e) !== undefined) return { kind: 'errno', errno: e };
        const hint = didYouMean(nearestNames(e, ERRNO_TABLE.map((x) => x.name), 3));
        sink.error('unknown-errno', `${path}.errno`, `unknown errno name '${e}'${hint}`, at);
        return undefined;
      }
      if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e <= MAX_ERRNO) return { kind: 'errno', errno: e };
      sink.error('invalid-action', `${path}.errno`, `errno must be a name such as 'EPERM' or an integer 0..${MAX_ERRNO} (the kernel caps larger values), got ${String(e)}`, at);
      return undefined;
    }
    case 'trap':
    case 'trace': {
      const d = a.data ?? 0;
      if (typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 0xffff) return { kind: a.kind, data: d };
      sink.error('invalid-action', `${path}.data`, `${a.kind} data must be an integer 0..65535 (SECCOMP_RET_DATA), got ${String(d)}`, at);
      return undefined;
    }
    default:
      sink.error('invalid-action', `${path}.kind`, `unknown action kind '${a.kind}'`, at);
      return undefined;
  }
}

/** The IR action for a checked ActionSpec on `arch` (errno names resolve per arch; asm-generic without one). */
export function resolveAction(a: ActionSpec, arch?: ArchName): Action {
  if (a.kind !== 'errno') return a;
  const errno = typeof a.errno === 'number' ? a.errno : errnoByName(a.errno, arch);
  if (errno === undefined) throw new Error(`internal: errno ${a.errno} was checked but does not resolve on ${arch}`);
  return { kind: 'errno', errno };
}

function toBigInt(v: unknown): bigint | string {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number') return `expected a number or bigint, got ${typeof v}`;
  if (!Number.isInteger(v)) return `${v} is not an integer`;
  if (!Number.isSafeInteger(v)) return `${v} is above 2^53-1, where numbers lose precision: write it as a bigint (${BigInt(v)}n is what the number holds)`;
  return BigInt(v);
}

/** A value for a view of width 32 or 64: u64 as is; for 32, int32 negatives as two's complement. */
function checkValue(v: unknown, width: 32 | 64, path: string, sink: DiagnosticSink, at?: SourceLocation): bigint | undefined {
  const b = toBigInt(v);
  if (typeof b === 'string') {
    sink.error('value-range', path, b, at);
    return undefined;
  }
  if (width === 64) {
    if (b >= 0n && b < U64_LIMIT) return b;
    const hint = b < 0n
      ? ': arguments compare as unsigned 64-bit values; for an int argument use arg(i).int (where -1 means 0xffffffff), or write asU64(' + b + ') for the 64-bit two\'s complement'
      : '';
    sink.error('value-range', path, `${b} is outside 0..2^64-1${hint}`, at);
    return undefined;
  }
  if (b >= -(1n << 31n) && b < U32_LIMIT) return b < 0n ? b + U32_LIMIT : b;
  sink.error('value-range', path, `${b} is outside the 32-bit view's range -2^31..2^32-1`, at);
  return undefined;
}

/** Comparisons that must all hold, and where each one's value was written (`rules[3].conditions[0].value`, `...values[2]`). */
interface Conjunction {
  readonly conditions: readonly Condition[];
  readonly valuePaths: readonly string[];
}

/**
 * A checked condition as comparisons: one for a plain comparison; for a condition written as
 * several (`in`: one per value), the alternatives of which one must hold.
 */
interface CheckedCondition {
  readonly anyOf: readonly Conjunction[];
}

function checkCondition(c: unknown, path: string, sink: DiagnosticSink, at?: SourceLocation): CheckedCondition | undefined {
  if (!isObject(c)) {
    sink.error('invalid-condition', path, 'expected a condition such as arg(0).eq(1)', at);
    return undefined;
  }
  let ok = true;
  const { arg, op, width } = c as Partial<ConditionSpec>;
  if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0 || arg >= ARG_COUNT) {
    sink.error('arg-index', `${path}.arg`, `argument index ${String(arg)} is outside 0..${ARG_COUNT - 1} (a syscall has at most six arguments)`, at);
    ok = false;
  }
  const setOp = typeof op === 'string' && Object.hasOwn(SET_OPERATORS, op) ? SET_OPERATORS[op as SetOp] : undefined;
  if (!setOp && (typeof op !== 'string' || !CMP_OPS.includes(op as CmpOp))) {
    sink.error('invalid-condition', `${path}.op`, `unknown comparison '${String(op)}'; known: ${[...CMP_OPS, ...Object.keys(SET_OPERATORS)].join(', ')}`, at);
    ok = false;
  }
  if (width !== 32 && width !== 64) {
    sink.error('invalid-condition', `${path}.width`, `width must be 32 or 64, got ${String(width)}`, at);
    return undefined;
  }
  if (setOp) {
    const values = checkValues(c.values, width, `${path}.values`, op as SetOp, sink, at);
    return ok && values ? { anyOf: setOp(arg as number, width, values) } : undefined;
  }
  const value = checkValue(c.value, width, `${path}.value`, sink, at);
  let mask: bigint | undefined;
  if (CMP_OPS.includes(op as CmpOp) && OPERATORS[op as CmpOp].masked) {
    mask = checkValue(c.mask, width, `${path}.mask`, sink, at);
    if (mask === undefined) ok = false;
  }
  if (!ok || value === undefined) return undefined;
  return { anyOf: [{ conditions: [condition(arg as number, op as CmpOp, width, value, mask)], valuePaths: [`${path}.value`] }] };
}

/** A value of a set condition and where it was written. */
interface SetValue {
  readonly value: bigint;
  readonly path: string;
}

/** How each condition over a list of values is written as comparisons: alternatives of conjunctions. */
const SET_OPERATORS: Readonly<Record<SetOp, (arg: number, width: 32 | 64, values: readonly SetValue[]) => Conjunction[]>> = {
  in: (arg, width, values) => values.map((v) => ({ conditions: [condition(arg, 'eq', width, v.value)], valuePaths: [v.path] })),
};

/** The values of a set condition, each checked, duplicates (as the view reads them) dropped. */
function checkValues(list: unknown, width: 32 | 64, path: string, op: SetOp, sink: DiagnosticSink, at?: SourceLocation): SetValue[] | undefined {
  if (!Array.isArray(list) || list.length === 0) {
    sink.error('invalid-condition', path, `${op}() takes a non-empty list of values, e.g. arg(0).${op}([1, 2])`, at);
    return undefined;
  }
  const out: SetValue[] = [];
  let ok = true;
  list.forEach((v: unknown, j) => {
    const value = checkValue(v, width, `${path}[${j}]`, sink, at);
    if (value === undefined) ok = false;
    else if (!out.some((o) => o.value === value)) out.push({ value, path: `${path}[${j}]` });
  });
  return ok ? out : undefined;
}

/**
 * The rule's conditions as alternatives, each a list of comparisons that must all hold: one
 * alternative unless an `in` condition offers several values (one per combination of them).
 */
function alternatives(conditions: readonly CheckedCondition[], path: string, sink: DiagnosticSink, at?: SourceLocation): Alternative[] | undefined {
  const count = conditions.reduce((n, c) => n * c.anyOf.length, 1);
  if (count > MAX_ALTERNATIVES) {
    sink.error(
      'too-many-alternatives',
      `${path}.conditions`,
      `the in() conditions of ${path} combine into ${count} alternatives (at most ${MAX_ALTERNATIVES}): split the rule, or give fewer values`,
      at,
    );
    return undefined;
  }
  let out: Alternative[] = [{ conditions: [], valuePaths: [], chosen: [] }];
  for (const c of conditions) {
    const choice = c.anyOf.length > 1;
    out = out.flatMap((prefix) =>
      c.anyOf.map((one) => ({
        conditions: [...prefix.conditions, ...one.conditions],
        valuePaths: [...prefix.valuePaths, ...one.valuePaths],
        chosen: choice ? [...prefix.chosen, ...one.conditions] : prefix.chosen,
      })),
    );
  }
  return out;
}

/** One way a rule's conditions can all hold; `chosen`: the comparisons a choice among several gave. */
interface Alternative extends Conjunction {
  readonly chosen: readonly Condition[];
}

function checkRule(r: unknown, index: number, sink: DiagnosticSink, fallback?: SourceLocation): CheckedRule[] | undefined {
  const path = `rules[${index}]`;
  if (!isObject(r)) {
    sink.error('invalid-rule', path, 'expected a rule such as allow(\'read\') or errno(\'EPERM\').on(\'socket\')', fallback);
    return undefined;
  }
  const rule = r as Partial<RuleSpec>;
  const at = rule.location ?? fallback;
  if (!Array.isArray(rule.syscalls)) {
    const hint = typeof r.kind === 'string' ? ': this is an action; name the syscalls with allow(\'name\', ...) or .on(\'name\', ...)' : '';
    sink.error('invalid-rule', `${path}.syscalls`, `a rule needs a list of syscalls${hint}`, at);
    return undefined;
  }
  let ok = true;
  if (rule.syscalls.length === 0) {
    sink.error('invalid-rule', `${path}.syscalls`, 'a rule needs at least one syscall', at);
    ok = false;
  }
  const action = checkAction(rule.action, `${path}.action`, sink, at);
  if (!action) ok = false;
  const syscalls: { name: string; index: number }[] = [];
  const named = new Set<string>();
  const grouped = new Set<string>();
  const add = (name: string, index: number) => {
    if (!syscalls.some((s) => s.name === name)) syscalls.push({ name, index });
  };
  rule.syscalls.forEach((name: unknown, j: number) => {
    if (typeof name !== 'string') {
      sink.error('invalid-rule', `${path}.syscalls[${j}]`, `a syscall name must be a string, got ${typeof name}`, at);
      ok = false;
    } else if (name.startsWith('@')) {
      if (!isGroupName(name)) {
        sink.error('unknown-group', `${path}.syscalls[${j}]`, `${unknownGroupMessage(name)}; list them with \`seccompile syscalls --groups\``, at);
        ok = false;
      } else for (const s of groupSyscalls(name)) (add(s, j), grouped.add(s));
    } else if (!isKnownSyscall(name)) {
      sink.error('unknown-syscall', `${path}.syscalls[${j}]`, `${unknownSyscallMessage(name)}: no architecture has it`, at);
      ok = false;
    } else (add(name, j), named.add(name));
  });
  const fromGroups = new Set([...grouped].filter((n) => !named.has(n)));
  const conditions: CheckedCondition[] = [];
  const list: unknown = rule.conditions ?? [];
  if (!Array.isArray(list)) {
    sink.error('invalid-rule', `${path}.conditions`, 'conditions must be a list', at);
    return undefined;
  }
  list.forEach((c: unknown, k: number) => {
    const checked = checkCondition(c, `${path}.conditions[${k}]`, sink, at);
    if (checked) conditions.push(checked);
    else ok = false;
  });
  let arches: Set<ArchName> | undefined;
  if (rule.arch !== undefined) {
    if (!Array.isArray(rule.arch) || rule.arch.length === 0) {
      sink.error('unknown-arch', `${path}.arch`, 'expected a non-empty list of arch names', at);
      ok = false;
    } else {
      arches = new Set();
      rule.arch.forEach((n: unknown, k: number) => {
        const a = typeof n === 'string' ? archByName(n) : undefined;
        if (a) arches!.add(a.name);
        else {
          sink.error('unknown-arch', `${path}.arch[${k}]`, unknownArchMessage(String(n)), at);
          ok = false;
        }
      });
    }
  }
  const parts = ok ? alternatives(conditions, path, sink, at) : undefined;
  if (!parts || !action) return undefined;
  return parts.map((part) => ({
    index,
    path,
    action,
    syscalls,
    fromGroups,
    conditions: part.conditions,
    valuePaths: part.valuePaths,
    ...(arches ? { arches } : {}),
    ...(at ? { location: at } : {}),
    ...(parts.length > 1 ? { alternative: part.chosen.map(conditionText).join(', ') } : {}),
  }));
}


/** The checked actions and rules of a policy (undefined entries where something was wrong). */
export interface CheckedPolicy {
  readonly default?: ActionSpec;
  readonly badArch?: ActionSpec;
  readonly newer?: ActionSpec;
  readonly rules: readonly CheckedRule[];
}

export function checkPolicy(spec: PolicySpec, sink: DiagnosticSink): CheckedPolicy | undefined {
  if (!isObject(spec) || !Array.isArray((spec as Partial<PolicySpec>).rules) || !('default' in spec)) {
    sink.error('invalid-policy', '', 'expected a policy: policy({ default: ..., rules: [...] })');
    return undefined;
  }
  const at = spec.location;
  const def = checkAction(spec.default, 'default', sink, at);
  const badArch = spec.badArch === undefined ? { kind: 'kill_process' as const } : checkAction(spec.badArch, 'badArch', sink, at);
  let newer: ActionSpec | undefined;
  if (spec.newer !== undefined) newer = checkAction(spec.newer, 'newer', sink, at);
  else if (def) newer = defaultNewer(def);
  const rules: CheckedRule[] = [];
  spec.rules.forEach((r, i) => {
    const checked = checkRule(r, i, sink, at);
    if (checked) rules.push(...checked);
  });
  return { ...(def ? { default: def } : {}), ...(badArch ? { badArch } : {}), ...(newer ? { newer } : {}), rules };
}

/**
 * `newer` when the policy does not say: a program built for a newer kernel should see ENOSYS
 * and fall back (glibc's clone3 -> clone) rather than die or get EPERM, so an errno or kill
 * default becomes errno(ENOSYS); a permissive default (allow, log, trap, trace, notify) stays.
 */
export function defaultNewer(def: ActionSpec): ActionSpec {
  switch (def.kind) {
    case 'errno':
    case 'kill_process':
    case 'kill_thread':
      return { kind: 'errno', errno: 'ENOSYS' };
    default:
      return def;
  }
}
