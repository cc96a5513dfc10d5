/**
 * Resolving syscall groups (./groups.ts): a group's syscall names with its included groups
 * expanded, across arches (what a rule naming the group, `allow('@basic-io')`, stands for:
 * normalize expands it, see src/ir/check-spec.ts) or on one arch (what the filter for that arch
 * decides). No Node imports: policy files bundle this through 'seccompile'.
 */
import type { Arch } from './arch.js';
import { GROUP_NAMES, SYSCALL_GROUPS, type GroupName } from './groups.js';
import { didYouMean, nearestNames } from './nearest.js';
import type { SyscallName } from './tables.js';

export { GROUP_NAMES, SYSCALL_GROUPS, type GroupName, type SyscallGroup } from './groups.js';

export function isGroupName(name: string): name is GroupName {
  return (GROUP_NAMES as readonly string[]).includes(name);
}

/** "unknown group '@netwrk-io' (did you mean @network-io?)" */
export function unknownGroupMessage(name: string): string {
  return `unknown syscall group '${name}'${didYouMean(nearestNames(name, GROUP_NAMES, 2))}`;
}

const expanded = new Map<GroupName, readonly SyscallName[]>();

/** A group's syscall names, included groups expanded, sorted, each once. */
export function groupSyscalls(name: GroupName): readonly SyscallName[] {
  const cached = expanded.get(name);
  if (cached) return cached;
  const out = new Set<SyscallName>();
  const visit = (g: GroupName, path: readonly GroupName[]): void => {
    if (path.includes(g)) throw new Error(`syscall groups: ${[...path, g].join(' -> ')} is a cycle`);
    const group = SYSCALL_GROUPS[g];
    if (!group) throw new Error(unknownGroupMessage(String(g)));
    for (const m of group.members) {
      if (m.startsWith('@')) visit(m as GroupName, [...path, g]);
      else out.add(m as SyscallName);
    }
  };
  visit(name, []);
  const list = Object.freeze([...out].sort());
  expanded.set(name, list);
  return list;
}

/** A group's syscalls that exist on `arch` (as direct syscalls), sorted by name. */
export function groupSyscallsOn(arch: Arch, name: GroupName): readonly SyscallName[] {
  return groupSyscalls(name).filter((s) => arch.syscalls.has(s));
}
