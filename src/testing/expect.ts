/**
 * Assertions on policies for any test runner (uvu, node:test, jest, vitest): each check runs the
 * compiled filter (src/testing/simulate.ts) and, when it fails, throws a PolicyAssertionError (a
 * plain Error with `expected` and `actual`, as runners show them) naming the arch, the syscall and
 * its arguments. No runner is imported.
 *
 *   expectPolicy(p).allows('read').denies('socket', [AF_INET]).with(errno('EACCES')).kills('ptrace')
 *   expectPolicy(p).on('aarch64').allows('openat')
 *
 * By default a check runs on every arch the policy targets (on those where the syscall exists);
 * `.on(...)` or the `arch` option choose. "allows": allow or log (the call runs); "denies": errno,
 * trap, kill_process or kill_thread (it does not); "kills": kill_process or kill_thread.
 */
import { actionText, parseActionText } from '../analysis/action-text.js';
import { formatValue } from '../analysis/regions.js';
import type { ActionSpec } from '../ir/spec.js';
import { formatAction, type Action } from '../seccomp/abi.js';
import { errnoByName } from '../syscalls/errno.js';
import { archByName, isKnownSyscall, resolveSyscall, unknownSyscallMessage, type ArchName } from '../syscalls/index.js';
import { callArch, simulate, SimulationError, toFilter, toU64, type ArgValue, type FilterLike, type Simulation } from './simulate.js';
import type { LoadedFilter } from './load.js';

/** An exact action: an Action, a DSL action (errno('EACCES')), or its text ('errno(EACCES)'). */
export type ExpectedAction = Action | ActionSpec | string;

/** What a check expects of one call. */
export type Expectation =
  | { readonly kind: 'allows' }
  | { readonly kind: 'denies' }
  | { readonly kind: 'kills' }
  | { readonly kind: 'exactly'; readonly action: ExpectedAction };

/** A failed policy assertion. */
export class PolicyAssertionError extends Error {
  override readonly name = 'PolicyAssertionError';
  constructor(
    message: string,
    readonly arch: ArchName,
    readonly syscall: string | number,
    readonly args: readonly bigint[],
    /** What was expected, as text ('errno(EACCES)', 'deny (errno, trap, kill)'). */
    readonly expected: string,
    /** The filter's decision, as text. */
    readonly actual: string,
  ) {
    super(message);
  }
}

/** The exact Action an ExpectedAction means on `arch` (errno names resolve per arch). */
export function resolveExpected(expected: ExpectedAction, arch: ArchName): Action {
  if (typeof expected === 'string') {
    const a = parseActionText(expected, arch);
    if (typeof a === 'string') throw new SimulationError(a);
    return a;
  }
  if (expected.kind === 'errno' && typeof expected.errno === 'string') {
    const n = errnoByName(expected.errno, arch);
    if (n === undefined) throw new SimulationError(`unknown errno '${expected.errno}'`);
    return { kind: 'errno', errno: n };
  }
  return expected as Action;
}

/** The expectation as text, for messages and tables. */
export function expectationText(e: Expectation, arch: ArchName): string {
  switch (e.kind) {
    case 'allows':
      return 'allow';
    case 'denies':
      return 'deny (errno, trap, kill)';
    case 'kills':
      return 'kill';
    case 'exactly':
      return actionText(resolveExpected(e.action, arch), arch);
  }
}

/** Whether a simulated decision meets an expectation. */
export function meets(e: Expectation, s: Simulation): boolean {
  switch (e.kind) {
    case 'allows':
      return s.action === 'allow' || s.action === 'log';
    case 'denies':
      return s.action === 'errno' || s.action === 'trap' || s.action === 'kill_process' || s.action === 'kill_thread';
    case 'kills':
      return s.action === 'kill_process' || s.action === 'kill_thread';
    case 'exactly':
      return formatAction(resolveExpected(e.action, s.arch)) === formatAction(s.decision);
  }
}

/** "socket(2, 1)" / "read()" */
export function callText(syscall: string | number, args: readonly ArgValue[]): string {
  const name = typeof syscall === 'number' ? `nr ${syscall}` : syscall;
  return `${name}(${args.map((a) => formatValue(toU64(a, 'arg'))).join(', ')})`;
}

/** The arches a check runs on: those chosen, else the filter's targets where the syscall exists. */
export function checkArches(filter: LoadedFilter, chosen: readonly string[] | undefined, syscall: string | number): ArchName[] {
  if (chosen && chosen.length) return chosen.map((a) => callArch(filter, a).name);
  const targets = filter.arches.length ? [...filter.arches] : [callArch(filter, undefined).name];
  if (typeof syscall === 'number') return targets;
  if (!isKnownSyscall(syscall)) throw new SimulationError(unknownSyscallMessage(syscall));
  const present = targets.filter((a) => resolveSyscall(archByName(a)!, syscall) !== undefined);
  if (present.length === 0) throw new SimulationError(`syscall '${syscall}' exists on none of the arches checked (${targets.join(', ')})`);
  return present;
}

/**
 * Runs one expectation on every arch of the check; throws PolicyAssertionError on the first
 * failure. The error's stack starts at the caller of `method` (the user's test line), as
 * node:assert's errors do: runners that show the top frame, or a code frame around it (jest,
 * vitest under a symlinked or source-mapped package), then show the user's failing line rather
 * than this file.
 */
function check(
  filter: LoadedFilter,
  arches: readonly string[] | undefined,
  syscall: string | number,
  args: readonly ArgValue[],
  e: Expectation,
  method: (...a: never[]) => unknown,
): void {
  for (const arch of checkArches(filter, arches, syscall)) {
    const s = simulate(filter, { arch, syscall, args });
    if (meets(e, s)) continue;
    const expected = expectationText(e, s.arch);
    const actual = actionText(s.decision, s.arch);
    const u64 = args.map((a, i) => toU64(a, `args[${i}]`));
    const full = [...u64, ...Array<bigint>(6 - u64.length).fill(0n)];
    const error = new PolicyAssertionError(
      `${callText(syscall, args)} on ${s.arch}: expected ${expected}, got ${actual}\n` +
        `  (nr ${s.nr}, args [${full.map(formatValue).join(', ')}], ret 0x${s.ret.toString(16).padStart(8, '0')}, filter from ${filter.source})`,
      s.arch,
      syscall,
      full,
      expected,
      actual,
    );
    Error.captureStackTrace(error, method);
    throw error;
  }
}

/** Chainable checks on one filter (each returns an expectation to chain more checks on). */
export class PolicyExpectation {
  constructor(
    readonly filter: LoadedFilter,
    /** The arches checks run on (undefined: every target arch where the syscall exists). */
    readonly arches?: readonly string[],
  ) {}

  /** The same checks on these arches only. */
  on(...arches: string[]): PolicyExpectation {
    return new PolicyExpectation(this.filter, arches);
  }

  /** The call runs (allow or log). */
  allows(syscall: string | number, args: readonly ArgValue[] = []): PolicyExpectation {
    check(this.filter, this.arches, syscall, args, { kind: 'allows' }, PolicyExpectation.prototype.allows);
    return this;
  }

  /** The call does not run (errno, trap, kill); `.with(action)` pins the exact action. */
  denies(syscall: string | number, args: readonly ArgValue[] = []): Denial {
    check(this.filter, this.arches, syscall, args, { kind: 'denies' }, PolicyExpectation.prototype.denies);
    return new Denial(this.filter, this.arches, syscall, args);
  }

  /** The call kills the thread or process. */
  kills(syscall: string | number, args: readonly ArgValue[] = []): PolicyExpectation {
    check(this.filter, this.arches, syscall, args, { kind: 'kills' }, PolicyExpectation.prototype.kills);
    return this;
  }

  /** The call gets exactly `action`. */
  decides(syscall: string | number, args: readonly ArgValue[], action: ExpectedAction): PolicyExpectation {
    check(this.filter, this.arches, syscall, args, { kind: 'exactly', action }, PolicyExpectation.prototype.decides);
    return this;
  }
}

/** A denial just checked, which `.with(action)` can pin down. */
export class Denial extends PolicyExpectation {
  constructor(
    filter: LoadedFilter,
    arches: readonly string[] | undefined,
    private readonly syscall: string | number,
    private readonly args: readonly ArgValue[],
  ) {
    super(filter, arches);
  }

  /** The denial is exactly `action` (errno('EACCES'), 'errno(EACCES)', kill(), ...). */
  with(action: ExpectedAction): PolicyExpectation {
    check(this.filter, this.arches, this.syscall, this.args, { kind: 'exactly', action }, Denial.prototype.with);
    return new PolicyExpectation(this.filter, this.arches);
  }
}

export interface ExpectOptions {
  /** Arch(es) to check on (default: every arch the policy targets). */
  readonly arch?: string | readonly string[];
}

/** Checks on a policy (compiled once per policy object), filter bytes, or a loaded filter. */
export function expectPolicy(filter: FilterLike, options: ExpectOptions = {}): PolicyExpectation {
  const arches = options.arch === undefined ? undefined : typeof options.arch === 'string' ? [options.arch] : [...options.arch];
  return new PolicyExpectation(toFilter(filter), arches);
}
