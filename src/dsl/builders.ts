/**
 * The policy DSL: `policy({...})`, the action builders and the rule builder. Every builder
 * returns immutable plain data (a PolicySpec piece, see ./spec.ts) whose only extras are methods
 * on the prototype (`.on`, `.when`), so `policy()` can copy them into a PolicySpec with nothing
 * but own properties. Builders never throw and never validate: normalize reports every mistake
 * with its path, so a policy with three typos gets three diagnostics.
 *
 *   allow('read', 'write')                          a rule: allow these syscalls
 *   allow('@basic-io', '@timer', 'ioctl')           syscall groups (src/syscalls/groups.ts) and names
 *   errno('EACCES').on('socket').when(arg(0).ne(1)) a rule with an action and conditions
 *   allow('clone').when(arg(1).int.maskedEq(m, 0)).forArch('s390x')   a rule for some arches only
 *   errno('EPERM')                                  an action (for `default`, `badArch`, `newer`)
 */
import type { ArchName } from '../syscalls/arch.js';
import type { ErrnoSpelling } from '../syscalls/errno.js';
import type { GroupName } from '../syscalls/groups.js';
import type { SyscallName } from '../syscalls/index.js';
import { callSite } from './site.js';
import type { ActionSpec, ConditionSpec, PolicySpec, RuleSpec, SourceLocation } from '../ir/spec.js';

/** What a rule names: a syscall ('read') or a syscall group ('@basic-io'). */
export type SyscallOrGroup = SyscallName | GroupName;

/** A rule under construction: plain RuleSpec data plus `.when(...)`. */
export interface RuleBuilder extends RuleSpec {
  readonly syscalls: readonly SyscallOrGroup[];
  /** A rule with these conditions added (ANDed with any it already has). */
  when(...conditions: ConditionSpec[]): RuleBuilder;
  /** The same rule, applied only on these arches (on other targets it does not exist). */
  forArch(...arches: [ArchName, ...ArchName[]]): RuleBuilder;
}

/** An action: plain ActionSpec data plus `.on(...)` to make it a rule. */
export type ActionBuilder<A extends ActionSpec = ActionSpec> = A & {
  /** A rule taking this action for each of the named syscalls. */
  on(...syscalls: [SyscallOrGroup, ...SyscallOrGroup[]]): RuleBuilder;
};

const ruleMethods = {
  when(this: RuleSpec, ...conditions: ConditionSpec[]): RuleBuilder {
    return makeRule({ ...this, conditions: [...this.conditions, ...conditions.map(plainCondition)] });
  },
  forArch(this: RuleSpec, ...arches: ArchName[]): RuleBuilder {
    return makeRule({ ...this, arch: arches });
  },
};

function makeRule(rule: RuleSpec): RuleBuilder {
  const { action, syscalls, conditions, arch, location } = rule;
  const data: RuleSpec = {
    action,
    syscalls: Object.freeze([...syscalls]),
    conditions: Object.freeze([...conditions]),
    ...(arch ? { arch: Object.freeze([...arch]) } : {}),
    ...(location ? { location } : {}),
  };
  return Object.freeze(Object.assign(Object.create(ruleMethods) as typeof ruleMethods, data)) as RuleBuilder;
}

const actionMethods = {
  on(this: ActionSpec, ...syscalls: SyscallOrGroup[]): RuleBuilder {
    const location = callSite(actionMethods.on);
    return makeRule({ action: plainAction(this), syscalls, conditions: [], ...(location ? { location } : {}) });
  },
};

function makeAction<A extends ActionSpec>(action: A): ActionBuilder<A> {
  return Object.freeze(Object.assign(Object.create(actionMethods) as typeof actionMethods, action)) as ActionBuilder<A>;
}

/** `allow()`: the action. `allow('read', 'write')`: a rule allowing those syscalls (or groups: '@basic-io'). */
export function allow(): ActionBuilder<{ readonly kind: 'allow' }>;
export function allow(...syscalls: [SyscallOrGroup, ...SyscallOrGroup[]]): RuleBuilder;
export function allow(...syscalls: SyscallOrGroup[]): ActionBuilder<{ readonly kind: 'allow' }> | RuleBuilder {
  if (syscalls.length === 0) return makeAction({ kind: 'allow' } as const);
  const location = callSite(allow);
  return makeRule({ action: { kind: 'allow' }, syscalls, conditions: [], ...(location ? { location } : {}) });
}

/**
 * Fail the syscall with this errno (SECCOMP_RET_ERRNO): a number 0..4095 or a name such as
 * 'EPERM', resolved for each target arch.
 */
export function errno(value: number | ErrnoSpelling): ActionBuilder<{ readonly kind: 'errno'; readonly errno: number | string }> {
  return makeAction({ kind: 'errno', errno: value });
}

/** Kill the whole process (SECCOMP_RET_KILL_PROCESS). */
export function kill(): ActionBuilder<{ readonly kind: 'kill_process' }> {
  return makeAction({ kind: 'kill_process' } as const);
}

/** Kill only the calling thread (SECCOMP_RET_KILL_THREAD). */
export function killThread(): ActionBuilder<{ readonly kind: 'kill_thread' }> {
  return makeAction({ kind: 'kill_thread' } as const);
}

/** Send SIGSYS to the thread (SECCOMP_RET_TRAP); `data` (0..65535) goes to si_errno. */
export function trap(data = 0): ActionBuilder<{ readonly kind: 'trap'; readonly data: number }> {
  return makeAction({ kind: 'trap', data });
}

/** Notify a ptrace tracer (SECCOMP_RET_TRACE) with `data` (0..65535); ENOSYS without one. */
export function trace(data = 0): ActionBuilder<{ readonly kind: 'trace'; readonly data: number }> {
  return makeAction({ kind: 'trace', data });
}

/** Allow and log the syscall (SECCOMP_RET_LOG). */
export function log(): ActionBuilder<{ readonly kind: 'log' }> {
  return makeAction({ kind: 'log' } as const);
}

/** Let a user-space supervisor decide (SECCOMP_RET_USER_NOTIF). */
export function notify(): ActionBuilder<{ readonly kind: 'user_notif' }> {
  return makeAction({ kind: 'user_notif' } as const);
}

/** What `policy()` takes: like PolicySpec, with builders welcome and `arch` as one name or several. */
export interface PolicyInput {
  /** What a syscall no rule matches gets. */
  readonly default: ActionSpec;
  /** Target arches; default: the host's native arch and its compat arches. */
  readonly arch?: ArchName | readonly ArchName[];
  /** For any other arch; default: kill(). */
  readonly badArch?: ActionSpec;
  /** For syscall numbers newer than the tables; default: errno('ENOSYS') if `default` is an errno or a kill, else `default`. */
  readonly newer?: ActionSpec;
  /** In order: for each syscall, the first rule whose conditions all hold decides. */
  readonly rules: readonly RuleSpec[];
}

/** A policy as plain data (a PolicySpec); see the README's "Policies" section. */
export function policy(input: PolicyInput): PolicySpec {
  const arch = input.arch === undefined ? undefined : typeof input.arch === 'string' ? [input.arch] : [...input.arch];
  return makePolicy({ ...input, arch }, callSite(policy));
}

/** What `extendPolicy()` changes in a base policy; every field is optional. */
export interface PolicyExtension {
  /** Checked before the base's rules: the first matching rule decides, so these override the base. */
  readonly before?: readonly RuleSpec[];
  /** Checked after the base's rules: they decide only calls no base rule matches. */
  readonly after?: readonly RuleSpec[];
  /** Replaces the base's default action. */
  readonly default?: ActionSpec;
  /** Replaces the base's target arches. */
  readonly arch?: ArchName | readonly ArchName[];
  /** Replaces the base's action for other arches. */
  readonly badArch?: ActionSpec;
  /** Replaces the base's action for syscalls newer than the tables. */
  readonly newer?: ActionSpec;
}

/**
 * A policy built on another one (a built-in from `seccompile/policies/NAME`, or any PolicySpec):
 * `before` rules, then the base's rules, then `after` rules, with the base's default, arches,
 * badArch and newer unless the extension gives its own.
 *
 *   extendPolicy(base, { before: [errno('EACCES').on('socket')] })   base, minus sockets
 */
export function extendPolicy(base: PolicySpec, extension: PolicyExtension): PolicySpec {
  const arch =
    extension.arch === undefined ? base.arch : typeof extension.arch === 'string' ? [extension.arch] : extension.arch;
  return makePolicy(
    {
      default: extension.default ?? base.default,
      arch: arch === undefined ? undefined : [...arch],
      badArch: extension.badArch ?? base.badArch,
      newer: extension.newer ?? base.newer,
      rules: [...(extension.before ?? []), ...(base.rules ?? []), ...(extension.after ?? [])],
    },
    callSite(extendPolicy),
  );
}

interface PolicyParts {
  readonly default: ActionSpec;
  readonly arch: readonly string[] | undefined;
  readonly badArch?: ActionSpec;
  readonly newer?: ActionSpec;
  readonly rules?: readonly RuleSpec[];
}

function makePolicy(input: PolicyParts, location: SourceLocation | undefined): PolicySpec {
  const { arch } = input;
  return Object.freeze({
    kind: 'policy',
    default: plainAction(input.default),
    ...(arch ? { arch: Object.freeze([...arch]) } : {}),
    ...(input.badArch !== undefined ? { badArch: plainAction(input.badArch) } : {}),
    ...(input.newer !== undefined ? { newer: plainAction(input.newer) } : {}),
    rules: Object.freeze((input.rules ?? []).map(plainRule)),
    ...(location ? { location } : {}),
  } as const);
}

/** Own properties only: drops the builder methods (they live on the prototype). */
function plainAction(action: ActionSpec): ActionSpec {
  return action !== null && typeof action === 'object' ? Object.freeze({ ...action }) : action;
}

function plainCondition(condition: ConditionSpec): ConditionSpec {
  return condition !== null && typeof condition === 'object' ? Object.freeze({ ...condition }) : condition;
}

function plainRule(rule: RuleSpec): RuleSpec {
  if (rule === null || typeof rule !== 'object') return rule;
  if (!Array.isArray(rule.syscalls)) return Object.freeze({ ...rule }); // not a rule: left for normalize to report
  const { action, syscalls, conditions, arch, location } = rule;
  return Object.freeze({
    action: plainAction(action),
    syscalls: Object.freeze(Array.isArray(syscalls) ? [...syscalls] : syscalls),
    conditions: Object.freeze(Array.isArray(conditions) ? conditions.map(plainCondition) : conditions ?? []),
    ...(arch !== undefined ? { arch: Array.isArray(arch) ? Object.freeze([...arch]) : arch } : {}),
    ...(location ? { location } : {}),
  });
}
