/**
 * Learned calls -> a DSL policy a person can read and tighten: the calls grouped under the
 * syscall group each belongs to (a whole group becomes `allow('@group')` when every call of it
 * was seen), the arguments of interest allowed only with the values seen, `.forArch()` for
 * calls seen on some arches only, and `errno('EPERM')` for everything else. The @default group
 * (exit, mmap, futex, sched_yield, time getters...) is always allowed whole.
 */
import { ARCHES, GROUP_NAMES, SYSCALL_GROUPS, groupSyscallsOn, type ArchName, type GroupName } from '../syscalls/index.js';
import { argumentOfInterest } from './arguments.js';
import type { LearnedCall } from './learned.js';
import { valueName } from './value-names.js';

export interface PolicyText {
  /** The commands the calls were learned from, oldest first (one comment line each). */
  readonly commands: readonly string[];
  /** The cases file next to the policy, named in its header. */
  readonly casesFile: string;
  /** Arch order: these first (the host's native arch), then the others by name. */
  readonly preferredArches?: readonly ArchName[];
}

/** Groups that list syscalls only (not other groups): each call is shown under the first that has it. */
const LEAF_GROUPS: readonly GroupName[] = GROUP_NAMES.filter((g) => g !== '@default' && SYSCALL_GROUPS[g].members.every((m) => !m.startsWith('@')));
/** Allowed in every learned policy: what any process may need (systemd never filters it). */
const ALWAYS = '@default' satisfies GroupName;

const quote = (s: string) => `'${s}'`;

function wrapCall(head: string, items: readonly string[], tail: string, indent: string): string[] {
  const one = `${indent}${head}(${items.join(', ')})${tail}`;
  if (one.length <= 110) return [one];
  const lines = [`${indent}${head}(`];
  let line = `${indent}  `;
  for (const item of items) {
    if (line.length + item.length + 2 > 110 && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = `${indent}  `;
    }
    line += `${item}, `;
  }
  lines.push(line.trimEnd());
  lines.push(`${indent})${tail}`);
  return lines;
}

function forArch(arches: readonly ArchName[], all: readonly ArchName[]): string {
  return arches.length === all.length ? '' : `.forArch(${arches.map(quote).join(', ')})`;
}

function hex(v: bigint): string {
  return v < 10n ? String(v) : `0x${v.toString(16)}`;
}

export function policyText(calls: readonly LearnedCall[], options: PolicyText): string {
  const preferred = options.preferredArches ?? [];
  const arches = [...new Set(calls.map((c) => c.arch))].sort((a, b) => {
    const pa = preferred.indexOf(a);
    const pb = preferred.indexOf(b);
    if (pa !== pb) return (pa < 0 ? Infinity : pa) - (pb < 0 ? Infinity : pb);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const plain = new Map<string, Set<ArchName>>();
  const withArg = new Map<string, { syscall: string; index: number; value: bigint; arches: Set<ArchName> }>();
  for (const c of calls) {
    if (c.arg && argumentOfInterest(c.syscall)) {
      const key = `${c.syscall}\0${c.arg.index}\0${c.arg.value}`;
      const entry = withArg.get(key) ?? { syscall: c.syscall, index: c.arg.index, value: c.arg.value, arches: new Set() };
      entry.arches.add(c.arch);
      withArg.set(key, entry);
    } else {
      const set = plain.get(c.syscall) ?? new Set();
      set.add(c.arch);
      plain.set(c.syscall, set);
    }
  }

  // Which of these a run makes depends on timing (sched_yield, nanosleep, futex wake-ups...),
  // so a run cannot be relied on to show them all: the policy allows the whole group.
  const rules: string[] = [
    `    // ${ALWAYS}: ${SYSCALL_GROUPS[ALWAYS].description}`,
    '    // (always allowed whole: which of its calls a run makes depends on timing)',
    `    allow('${ALWAYS}'),`,
  ];
  const placed = new Set<string>((SYSCALL_GROUPS[ALWAYS].members as readonly string[]).filter((n) => plain.has(n)));
  const sortArches = (s: Set<ArchName>) => arches.filter((a) => s.has(a));
  const emitNames = (names: readonly string[]) => {
    const byArches = new Map<string, string[]>();
    for (const n of names) {
      const key = sortArches(plain.get(n)!).join(',');
      byArches.set(key, [...(byArches.get(key) ?? []), n]);
    }
    for (const [key, list] of [...byArches].sort((a, b) => b[0].split(',').length - a[0].split(',').length)) {
      rules.push(...wrapCall('allow', list.sort().map(quote), `${forArch(key.split(',') as ArchName[], arches)},`, '    '));
    }
  };
  for (const group of LEAF_GROUPS) {
    const names = [...plain.keys()].filter((n) => !placed.has(n) && (SYSCALL_GROUPS[group].members as readonly string[]).includes(n));
    if (names.length === 0) continue;
    names.forEach((n) => placed.add(n));
    const whole = arches.every((a) => groupSyscallsOn(ARCHES[a], group).every((s) => plain.get(s)?.has(a)));
    rules.push(`    // ${group}: ${SYSCALL_GROUPS[group].description}${whole ? ' (every call of it was seen)' : ''}`);
    if (whole) {
      rules.push(`    allow('${group}'),`);
      const outside = names.filter((n) => arches.some((a) => plain.get(n)!.has(a) && !groupSyscallsOn(ARCHES[a], group).includes(n as never)));
      if (outside.length > 0) emitNames(outside);
    } else emitNames(names);
  }
  const rest = [...plain.keys()].filter((n) => !placed.has(n));
  if (rest.length > 0) {
    rules.push('    // In no group.');
    emitNames(rest);
  }
  if (withArg.size > 0) {
    rules.push('    // Only the argument values seen.');
    const entries = [...withArg.values()].sort((a, b) => (a.syscall === b.syscall ? Number(a.value - b.value) : a.syscall < b.syscall ? -1 : 1));
    // Values of one argument seen on the same arches become one rule: `in([...])`, a value a line.
    const sets = new Map<string, typeof entries>();
    for (const e of entries) {
      // a masked value (clone's namespace flags) stays a rule of its own
      const value = argumentOfInterest(e.syscall)!.mask === 0xffffffffn ? '' : e.value;
      const key = `${e.syscall}/${e.index}/${value}/${sortArches(e.arches).join(',')}`;
      sets.set(key, [...(sets.get(key) ?? []), e]);
    }
    for (const set of sets.values()) {
      const e = set[0]!;
      const interest = argumentOfInterest(e.syscall)!;
      const on = forArch(sortArches(e.arches), arches);
      const named = (x: typeof e) => {
        const name = valueName(x.syscall, sortArches(x.arches)[0]!, x.value);
        return `${interest.what}${name ? `: ${name}` : ''}`;
      };
      if (set.length > 1) {
        rules.push(`    allow('${e.syscall}').when(arg(${e.index}).int.in([`);
        for (const x of set) rules.push(`      ${hex(x.value)}, // ${named(x)}`);
        rules.push(`    ]))${on},`);
        continue;
      }
      const cond = interest.mask === 0xffffffffn ? `arg(${e.index}).int.eq(${hex(e.value)})` : `arg(${e.index}).int.maskedEq(${hex(interest.mask)}, ${hex(e.value)})`;
      rules.push(`    allow('${e.syscall}').when(${cond})${on}, // ${named(e)}`);
    }
  }
  const usesArg = withArg.size > 0;
  return [
    '/**',
    ' * Learned by `jail --learn` from:',
    ...options.commands.map((c) => ` *   $ ${c}`),
    ' * Every call seen is allowed (arguments of interest: only the values seen), and the @default group;',
    ' * every other call fails with EPERM. Review it: a call a run did not reach is refused. Replay what',
    ' * was seen with',
    ` *   seccompile test <this file> ${options.casesFile}`,
    ' */',
    `import { allow, ${usesArg ? 'arg, ' : ''}errno, policy } from 'seccompile';`,
    '',
    'export default policy({',
    `  arch: [${arches.map(quote).join(', ')}],`,
    "  default: errno('EPERM'),",
    '  rules: [',
    ...rules,
    '  ],',
    '});',
    '',
  ].join('\n');
}

/** The commands an earlier learned policy names in its header (to keep them when merging). */
export function learnedCommands(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^ \* {3}\$ (.*)$/.exec(line);
    if (m) out.push(m[1]!);
    if (line.startsWith(' */')) break;
  }
  return out;
}
