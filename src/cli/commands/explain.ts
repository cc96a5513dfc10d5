/**
 * `seccompile explain POLICY [SYSCALL|@GROUP ...] [--arch A] [--format text|dot|svg]`: for each
 * syscall (default: every one a rule names), per arch, the decision, under which argument
 * conditions, and which rule decides (with the file:line:column the DSL recorded); `dot` draws
 * one syscall's decision tree as Graphviz text, `svg` renders it with Graphviz's `dot`.
 */
import { spawnSync } from 'node:child_process';
import { extname, isAbsolute, relative } from 'node:path';
import type { SourceLocation } from '../../ir/spec.js';
import type { PolicyIR } from '../../ir/types.js';
import { isGroupName, groupSyscalls, unknownGroupMessage } from '../../syscalls/group.js';
import { isKnownSyscall, unknownSyscallMessage } from '../../syscalls/index.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../io.js';
import { parseArchOption } from '../load-input.js';

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
  --format F        text (default); dot: one syscall's decision tree as Graphviz text;
                    svg: the same rendered by Graphviz's dot (apt-get install graphviz)
  -h, --help        show this help

Exit status: 0 explained, 1 policy errors or unknown syscall, 2 bad usage.
`;

interface Loaded {
  readonly ir: PolicyIR;
  readonly locate: (index: number) => SourceLocation | undefined;
}

async function loadPolicy(path: string, arches: readonly string[] | undefined, io: CliIO): Promise<Loaded> {
  const { loadPolicySource, SourceError } = await import('../../source/load.js');
  let loaded;
  try {
    if (extname(path).toLowerCase() === '.json' && arches && arches.length > 1) {
      throw new UsageError('--arch: an OCI profile names its own architectures; give at most one (the native arch)');
    }
    loaded = await loadPolicySource(path, { otherwise: 'module', ...(arches ? { arch: arches } : {}) });
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    if (e.errors.length === 0) throw new UserError(e.message);
    for (const d of e.diagnostics) io.stderr.write(`${d.text}\n`);
    throw new UserError(`${path}: not explained (errors above)`);
  }
  for (const d of loaded.diagnostics) io.stderr.write(`${d.text}\n`);
  const spec = loaded.spec;
  return { ir: loaded.ir, locate: (i) => (spec ? shorter(spec.rules[i]?.location ?? spec.location) : undefined) };
}

/** The location with its file relative to the working directory when it lies below it. */
function shorter(l: SourceLocation | undefined): SourceLocation | undefined {
  if (!l) return undefined;
  const rel = relative(process.cwd(), l.file);
  return rel.startsWith('..') || isAbsolute(rel) ? l : { ...l, file: rel };
}

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
  if (format !== 'text' && syscalls.length !== 1) {
    throw new UsageError(`--format ${format} draws the decision tree of one syscall: name exactly one (got ${syscalls.length})`);
  }
  const arches = parseArchOption(args['--arch']);
  const { ir, locate } = await loadPolicy(path, arches, io);
  const { explainPolicy, explanationText } = await import('../../analysis/explain.js');
  const e = explainPolicy(ir, { ...(syscalls.length ? { syscalls } : {}), locate });
  if (format === 'text') {
    io.stdout.write(explanationText(e, { all: syscalls.length === 0 }));
    return 0;
  }
  const { explanationDot } = await import('../../analysis/explain-dot.js');
  const dot = explanationDot(e.sections.flatMap((s) => s.syscalls));
  if (format === 'dot') {
    io.stdout.write(dot);
    return 0;
  }
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(missing ? "--format svg needs Graphviz's dot, which is not installed (apt-get install graphviz); --format dot prints the graph text" : `dot: ${r.error.message}`);
  }
  if (r.status !== 0) throw new UserError(`dot failed (exit ${r.status}): ${r.stderr.trim()}`);
  io.stdout.write(r.stdout);
  return 0;
};
