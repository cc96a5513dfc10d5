/**
 * `seccompile diff A B [--arch A ...] [--max N]`: where two policies or filters decide differently.
 * A and B are each a .ts/.js policy (compiled for --arch, default the policy's arches or the
 * host's and its compat arches), or a compiled .bpf filter (compared on whatever it dispatches
 * on). Prints per arch the syscalls whose decision differs and, for argument-dependent ones, the
 * argument region: "socket(arg0.lo = 2): A allow, B errno(EACCES)". Exact for compare-only
 * filters (src/analysis/diff.ts), otherwise sampled, and then it says so.
 */
import { diffFilters, type DiffReport, type Difference } from '../../analysis/diff.js';
import { actionText } from '../../analysis/action-text.js';
import { formatValue } from '../../analysis/regions.js';
import { load, LoadError, type LoadedFilter } from '../../testing/load.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../io.js';

const USAGE = `Usage: seccompile diff A B [--arch A ...] [--max N]

Compares two policies or filters on every possible system call and prints where they decide
differently, per arch: the syscall (or nr range) and, when the difference depends on the
arguments, the argument values where it does (argN.lo / argN.hi are the low / high 32 bits):
  socket(arg0.lo = 2): A allow, B errno(EACCES)
A and B may each be a policy file (.ts, .js) or a compiled filter (.bpf). The answer is exact
for filters that only compare seccomp_data with constants (ours, libseccomp's, Docker's); for
others it is sampled, and the output says so.

Options:
  --arch A      arches to compile policy files for, repeatable or comma-separated
                (default: each policy's own, else the host's and its compat arches)
  --max N       print at most N differences (default 200)
  -h, --help    show this help

Exit status: 0 same decisions, 1 different (or an input fails to load), 2 bad usage.
`;

function parseArches(values: readonly string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const list = values.flatMap((v) => v.split(',')).map((s) => s.trim());
  if (list.some((s) => s === '')) throw new UsageError('--arch needs an architecture name');
  return list;
}

async function loadInput(path: string, arch: string[] | undefined): Promise<LoadedFilter> {
  try {
    return await load(path, arch ? { arch } : {});
  } catch (e) {
    if (e instanceof LoadError) throw new UserError(e.message);
    throw e;
  }
}

function describeInput(label: string, f: LoadedFilter): string {
  const what = f.kind === 'policy' ? `policy for ${f.arches.join(', ')}` : `filter dispatching on ${f.arches.join(', ') || 'no known arch'}`;
  return `${label}: ${f.source} (${what}; ${f.program.length} instructions, ${f.endian}-endian)`;
}

/** "socket", "nr 462..1073741823", "any syscall". */
function nrText(d: Difference): string {
  if (d.syscall) return d.syscall;
  const [lo, hi] = d.nr;
  if (lo === 0 && hi === 0xffffffff) return 'any syscall';
  return lo === hi ? `nr ${formatValue(lo)}` : `nr ${formatValue(lo)}..${formatValue(hi)}`;
}

/** One line per difference, grouped under its arch. */
export function formatDiff(report: DiffReport, max: number): string[] {
  const out: string[] = [];
  let arch: string | undefined;
  for (const d of report.differences.slice(0, max)) {
    if (d.arch !== arch) {
      arch = d.arch;
      out.push(`${arch}:`);
    }
    const a = actionText(d.a, d.archName);
    const b = actionText(d.b, d.archName);
    out.push(`  ${nrText(d)}${d.args ? `(${d.args})` : ''}: A ${a}, B ${b}`);
  }
  if (report.differences.length > max) out.push(`... and ${report.differences.length - max} more (--max to see them)`);
  return out;
}

export const run: Command = async (argv, io: CliIO) => {
  const args = parseArgs({ '--arch': [String], '--max': Number, '--help': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args._.length !== 2) throw new UsageError(`expected two inputs A and B, got ${args._.length}`);
  const max = args['--max'] ?? 200;
  if (!Number.isInteger(max) || max < 0) throw new UsageError('--max must be a non-negative integer');
  const arch = parseArches(args['--arch']);
  const [a, b] = await Promise.all(args._.map((p) => loadInput(p, arch)));
  io.stdout.write(`${describeInput('A', a!)}\n${describeInput('B', b!)}\n`);
  const report = diffFilters(a!, b!);
  const lines = formatDiff(report, max);
  if (lines.length) io.stdout.write(lines.join('\n') + '\n');
  const how =
    report.method === 'exact'
      ? `exact: ${report.compared.toLocaleString('en-US')} regions cover every input`
      : `SAMPLED, not exhaustive: ${report.compared.toLocaleString('en-US')} inputs tried, because ${report.reasons.slice(0, 3).join('; ')}`;
  const n = report.differences.length;
  io.stdout.write(`${n === 0 ? 'same decisions' : `${n} difference${n === 1 ? '' : 's'}`} (${how})\n`);
  return n === 0 ? 0 : 1;
};
