/**
 * `seccompile explain POLICY [SYSCALL|@GROUP ...] [--arch A] [--format text|dot|svg]`: for each
 * syscall (default: every one a rule names), per arch, the decision, under which argument
 * conditions, and which rule decides (with the file:line:column the DSL recorded); `dot` draws
 * one syscall's decision tree, or with no or several syscalls the whole filter's, as Graphviz
 * text, `svg` renders it with Graphviz's `dot`.
 */
import { isGroupName, groupSyscalls, unknownGroupMessage } from '../../../syscalls/group.js';
import { isKnownSyscall, unknownSyscallMessage } from '../../../syscalls/index.js';
import { parseArgs, UsageError, UserError, type Command } from '../../io.js';
import { parseArchOption } from '../load-input.js';
import { loadPolicySource } from '../policy-source.js';

const FORMATS = ['text', 'dot', 'svg'] as const;

const USAGE = `Usage: seccompile explain POLICY [SYSCALL | @GROUP ...] [--arch A ...] [--format text|dot|svg]

Says what POLICY (a .ts/.js policy or an OCI profile .json) decides for each SYSCALL on each
target arch: its rules in order, under which argument conditions, the action, and the rule that
decides (rules[N] and file:line:column), then the default. On x86, s390x and ppc64le a socket or
ipc call is also shown as the multiplexer's (socketcall, ipc) sub-call, which is a second way in.
Without SYSCALL: every syscall a rule names, then the default, newer and badArch actions.
@GROUP names a syscall group (see seccompile syscalls --groups).

Options:
  --arch A          arches to explain (the policy is lowered for them), repeatable or comma-separated
  --format F        text (default); dot: the decision tree as Graphviz text: of one
                    SYSCALL, else of the whole filter (arch check, nr dispatch, the
                    rules of each syscall, syscalls with the same decision as one node;
                    only the SYSCALLs given, if several); svg: the same rendered by
                    Graphviz's dot (apt-get install graphviz)
  -h, --help        show this help

Exit status: 0 explained, 1 policy errors or unknown syscall, 2 bad usage.
`;

/** Syscall names from the operands, groups expanded, each once, in the order given. */
function syscallOperands(operands: readonly string[]): string[] {
  const out = new Set<string>();
  for (const o of operands) {
    if (o.startsWith('@')) {
      if (!isGroupName(o)) throw new UserError(unknownGroupMessage(o));
      for (const s of groupSyscalls(o)) out.add(s);
    } else if (isKnownSyscall(o)) out.add(o);
    else throw new UserError(unknownSyscallMessage(o));
  }
  return [...out];
}

export const run: Command = async (argv, io) => {
  const args = parseArgs({ '--arch': [String], '--format': String, '--help': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const [path, ...rest] = args._;
  if (path === undefined) throw new UsageError('missing POLICY');
  const format = args['--format'] ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
  const syscalls = syscallOperands(rest);
  const arches = parseArchOption(args['--arch']);
  const { ir, locate } = await loadPolicySource(path, arches, io, 'not explained');
  const { explainPolicy, explanationText } = await import('../../../analysis/explain.js');
  const e = explainPolicy(ir, { ...(syscalls.length ? { syscalls } : {}), locate });
  if (format === 'text') {
    io.stdout.write(explanationText(e, { all: syscalls.length === 0 }));
    return 0;
  }
  let dot: string;
  if (syscalls.length === 1) {
    const { explanationDot } = await import('../../../analysis/explain-dot.js');
    dot = explanationDot(e.sections.flatMap((s) => s.syscalls));
  } else {
    const { filterDot } = await import('../../../analysis/filter-dot.js');
    dot = filterDot(e, { whole: syscalls.length === 0 });
  }
  if (format === 'dot') {
    io.stdout.write(dot);
    return 0;
  }
  // Loaded here: the CLI is one module, and node:child_process at its top cost every command ~2 ms.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(missing ? "--format svg needs Graphviz's dot, which is not installed (apt-get install graphviz); --format dot prints the graph text" : `dot: ${r.error.message}`);
  }
  if (r.status !== 0) throw new UserError(`dot failed (exit ${r.status}): ${r.stderr.trim()}`);
  io.stdout.write(r.stdout);
  return 0;
};
