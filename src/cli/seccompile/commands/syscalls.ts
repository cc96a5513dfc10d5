/**
 * `seccompile syscalls [--arch A] [NAME|NR]`: resolves syscall names and numbers like
 * libseccomp's scmp_sys_resolver. Numbers are raw seccomp_data.nr values (x32 includes
 * __X32_SYSCALL_BIT), so what this prints is what a filter compares. `--groups` and
 * `--group G` list the syscall groups (src/syscalls/groups.ts) policies can name.
 */
import { parseArgs, UsageError, UserError, type Command } from '../../io.js';
import { writeJson } from '../json-output.js';
import {
  ARCH_NAMES,
  ARCHES,
  archByName,
  archesWithSyscall,
  hostArch,
  isKnownSyscall,
  unknownArchMessage,
  unknownSyscallMessage,
  type Arch,
} from '../../../syscalls/index.js';
import { GROUP_NAMES, groupSyscalls, groupSyscallsOn, isGroupName, SYSCALL_GROUPS, unknownGroupMessage } from '../../../syscalls/group.js';

const USAGE = `Usage: seccompile syscalls [--arch ARCH] [NAME | NR]
       seccompile syscalls --all-arches NAME | NR
       seccompile syscalls --groups | --group GROUP [--arch ARCH | --all-arches]

Resolves syscall names and numbers (like libseccomp's scmp_sys_resolver).
  NAME            print its number on ARCH
  NR              print the name of that number on ARCH (decimal or 0x hex)
  (nothing)       list ARCH's table as "NAME NR" lines, sorted by number
  --groups        list the syscall groups policies can use, with what each holds
  --group GROUP   list GROUP's syscalls on ARCH as "NAME NR" lines, by name (names
                  absent on ARCH are left out); with --all-arches, every name it holds
Numbers are seccomp_data.nr as a filter sees it: x32 numbers include 0x40000000
(an x32 NR given without that bit is accepted too).

Options:
  -a, --arch ARCH     ${ARCH_NAMES.join(', ')} (default: the host's, ${hostName()})
  -A, --all-arches    resolve NAME or NR on every arch ("-" where it does not exist)
  --json              print one JSON object instead (the SyscallsJson type, docs/cli.md, "--json")
  -g, --group GROUP   list a group's syscalls (e.g. @network-io; the @ may be left out)
  -G, --groups        list the groups
  -h, --help          show this help

Exit status: 0 resolved, 1 unknown name, number or group, 2 bad usage.
`;

function hostName(): string {
  try {
    return hostArch().name;
  } catch {
    return 'unsupported here';
  }
}

/** A syscall number argument: decimal or 0x hex, a u32. */
function parseNr(text: string): number | undefined {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new UsageError(`syscall number out of range: ${text}`);
  return n;
}

/** The name at `nr`, also accepting x32 numbers given without the x32 bit. */
function nameAt(arch: Arch, nr: number): string | undefined {
  return arch.names.get(nr) ?? (nr < arch.nrBase ? arch.names.get((arch.nrBase + nr) >>> 0) : undefined);
}

/** NAME or NR on `arch`: the name and number, or neither where it does not exist. */
function resolve(arch: Arch, query: string, nr: number | undefined): { name?: string; nr?: number } {
  const name = nr === undefined ? (arch.syscalls.has(query) ? query : undefined) : nameAt(arch, nr);
  return name === undefined ? {} : { name, nr: arch.syscalls.get(name) };
}

export const run: Command = async (argv, io) => {
  const args = parseArgs(
    {
      '--arch': String,
      '--all-arches': Boolean,
      '--group': String,
      '--groups': Boolean,
      '--json': Boolean,
      '--help': Boolean,
      '-a': '--arch',
      '-A': '--all-arches',
      '-g': '--group',
      '-G': '--groups',
      '-h': '--help',
    },
    argv,
  );
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const operands = args._;
  if (operands.length > 1) throw new UsageError(`expected one NAME or NR, got ${operands.length}`);
  if (args['--all-arches'] && args['--arch'] !== undefined) throw new UsageError('--arch and --all-arches exclude each other');
  const query = operands[0];
  if (query === '') throw new UsageError('empty syscall name');
  let arch: Arch;
  if (args['--arch'] !== undefined) {
    const found = archByName(args['--arch']);
    if (!found) throw new UsageError(unknownArchMessage(args['--arch']));
    arch = found;
  } else {
    arch = hostArch();
  }
  if (args['--groups'] || args['--group'] !== undefined) {
    if (operands.length > 0) throw new UsageError(`--group and --groups take no NAME or NR, got ${operands[0]}`);
    if (args['--groups'] && args['--group'] !== undefined) throw new UsageError('--group and --groups exclude each other');
    io.stdout.write(args['--groups'] ? listGroups() : listGroup(args['--group']!, args['--all-arches'] ? undefined : arch));
    return 0;
  }
  const nr = query === undefined ? undefined : parseNr(query);
  const json = args['--json'] === true;

  if (args['--all-arches']) {
    if (query === undefined) throw new UsageError('--all-arches needs a NAME or NR');
    if (nr === undefined && !isKnownSyscall(query)) throw new UserError(unknownSyscallMessage(query));
    if (json) {
      const found = ARCH_NAMES.map((a) => ({ arch: a, ...resolve(ARCHES[a], query, nr) })).filter((r) => r.name !== undefined && r.nr !== undefined);
      writeJson(io, { command: 'syscalls', query, syscalls: found.map((r) => ({ arch: r.arch, name: r.name!, nr: r.nr! })) });
      return 0;
    }
    const width = Math.max(...ARCH_NAMES.map((a) => a.length));
    for (const a of ARCH_NAMES) {
      const value = nr === undefined ? ARCHES[a].syscalls.get(query) : nameAt(ARCHES[a], nr);
      io.stdout.write(`${a.padEnd(width)} ${value ?? '-'}\n`);
    }
    return 0;
  }

  if (query === undefined) {
    const rows = [...arch.names].sort((x, y) => x[0] - y[0]);
    if (json) {
      writeJson(io, { command: 'syscalls', syscalls: rows.map(([n, name]) => ({ arch: arch.name, name, nr: n })) });
      return 0;
    }
    const width = Math.max(...rows.map(([, n]) => n.length));
    io.stdout.write(rows.map(([n, name]) => `${name.padEnd(width)} ${n}\n`).join(''));
    return 0;
  }
  if (nr !== undefined) {
    const name = nameAt(arch, nr);
    if (name === undefined) throw new UserError(`no syscall number ${query} on ${arch.name}`);
    if (json) writeJson(io, { command: 'syscalls', query, syscalls: [{ arch: arch.name, name, nr: arch.syscalls.get(name)! }] });
    else io.stdout.write(`${name}\n`);
    return 0;
  }
  const found = arch.syscalls.get(query);
  if (found === undefined) {
    if (!isKnownSyscall(query)) throw new UserError(unknownSyscallMessage(query));
    throw new UserError(`syscall '${query}' does not exist on ${arch.name} (it does on ${archesWithSyscall(query).join(', ')})`);
  }
  if (json) writeJson(io, { command: 'syscalls', query, syscalls: [{ arch: arch.name, name: query, nr: found }] });
  else io.stdout.write(`${found}\n`);
  return 0;
};

/** "@basic-io       read, write, seek, close and dup on open descriptors (17 syscalls)" */
function listGroups(): string {
  const width = Math.max(...GROUP_NAMES.map((g) => g.length));
  return GROUP_NAMES.map((g) => `${g.padEnd(width)}  ${SYSCALL_GROUPS[g].description} (${groupSyscalls(g).length} syscalls)\n`).join('');
}

/** A group's syscalls: "NAME NR" on `arch`, or every name when `arch` is undefined. */
function listGroup(name: string, arch: Arch | undefined): string {
  const g = name.startsWith('@') ? name : `@${name}`;
  if (!isGroupName(g)) throw new UserError(`${unknownGroupMessage(name)}; list them with --groups`);
  if (!arch) return groupSyscalls(g).map((s) => `${s}\n`).join('');
  const names = groupSyscallsOn(arch, g);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((s) => `${s.padEnd(width)} ${arch.syscalls.get(s)}\n`).join('');
}
