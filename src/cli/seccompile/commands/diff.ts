/**
 * `seccompile diff A B [--arch A ...] [--max N]`: where two policies or filters decide differently.
 * A and B are each a .ts/.js policy (compiled for --arch, default the policy's arches or the
 * host's and its compat arches), or a compiled .bpf filter (compared on whatever it dispatches
 * on). Prints per arch the syscalls whose decision differs and, for argument-dependent ones, the
 * argument region: "socket(arg0.lo = 2): A allow, B errno(EACCES)". Exact for compare-only
 * filters (src/analysis/diff.ts), otherwise sampled, and then it says so.
 */
import { diffFilters, type DiffReport, type Difference } from '../../../analysis/diff.js';
import { actionText } from '../../../analysis/action-text.js';
import { formatValue } from '../../../analysis/regions.js';
import type { LoadedFilter } from '../../../testing/load.js';
import { parseArgs, UsageError, type CliIO, type Command } from '../../io.js';
import { DEFAULT_LOAD_TIMEOUT } from '../../../loader/isolate.js';
import { loadInput, parseArchOption, parseLoadTimeout } from '../load-input.js';
import { callJson, writeJson, type DiffInputJson, type DiffJson } from '../json-output.js';

const USAGE = `Usage: seccompile diff A B [--arch A ...] [--max N]

Compares two policies or filters on every possible system call and prints where they decide
differently, per arch: the syscall (or nr range) and, when the difference depends on the
arguments, the argument values where it does (argN.lo / argN.hi are the low / high 32 bits):
  socket(arg0.lo = 2): A allow, B errno(EACCES)
A and B may each be a policy file (.ts, .js), an OCI seccomp profile (.json) or a compiled
filter (.bpf). The answer is exact for filters that only compare seccomp_data with constants
(ours, libseccomp's, Docker's); for others it is sampled, and the output says so.

Options:
  --arch A      arches to compile policy files for, repeatable or comma-separated
                (default: each policy's own, else the host's and its compat arches)
  --max N       print at most N lines of differences (default 200)
  --load-timeout S
                seconds a .ts/.js policy's own code may run while it loads (default
                ${DEFAULT_LOAD_TIMEOUT}); past it the load fails
  --json        print one JSON object instead, with every difference (the DiffJson type,
                docs/cli.md, "--json")
  -h, --help    show this help

Exit status: 0 same decisions, 1 different (or an input fails to load), 2 bad usage.
`;

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

/**
 * "nr 0x40000000..0xffffffff" when `list` covers, without a gap, one whole half of the nr space
 * (the x86_64 numbers or the x32 ones, split at the x32 bit) or all of it: then naming each
 * syscall says nothing more.
 */
function wholeHalf(list: readonly Difference[]): string | undefined {
  const ranges = list.map((d) => d.nr).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) if (ranges[i]![0] !== ranges[i - 1]![1] + 1) return undefined;
  const lo = ranges[0]![0];
  const hi = ranges[ranges.length - 1]![1];
  const halves: readonly (readonly [number, number])[] = [[0, 0x3fffffff], [0x40000000, 0xffffffff], [0, 0xffffffff]];
  return halves.some(([a, b]) => a === lo && b === hi) ? `nr ${formatValue(lo)}..${formatValue(hi)}` : undefined;
}

/** Words wrapped into lines of at most `width` columns, each line starting with `indent`. */
function wrap(words: readonly string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line.length > indent.length && line.length + w.length + 1 > width) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += w + ' ';
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/**
 * The differences under their arch: argument-dependent ones one a line, in nr order; the
 * argument-independent ones grouped by decision pair, their syscalls listed (wrapped) after it.
 * At most `max` lines of differences.
 */
export function formatDiff(report: DiffReport, max: number): string[] {
  const out: string[] = [];
  const byArch = new Map<string, Difference[]>();
  for (const d of report.differences) byArch.set(d.arch, [...(byArch.get(d.arch) ?? []), d]);
  for (const [arch, ds] of byArch) {
    out.push(`${arch}:`);
    const groups = new Map<string, Difference[]>();
    for (const d of ds) {
      const pair = `A ${actionText(d.a, d.archName)}, B ${actionText(d.b, d.archName)}`;
      if (d.args) out.push(`  ${nrText(d)}(${d.args}): ${pair}`);
      else groups.set(pair, [...(groups.get(pair) ?? []), d]);
    }
    for (const [pair, list] of groups) {
      if (list.length === 1) {
        out.push(`  ${nrText(list[0]!)}: ${pair}`);
        continue;
      }
      const whole = wholeHalf(list);
      if (whole) {
        out.push(`  every syscall (${whole}): ${pair}`);
        continue;
      }
      out.push(`  ${pair}, for ${list.length} syscalls or ranges:`);
      out.push(...wrap(list.map(nrText).map((t, i) => (i < list.length - 1 ? `${t},` : t)), '    '));
    }
  }
  const rows = out.length - byArch.size;
  if (rows <= max) return out;
  let kept = 0;
  const shown = out.filter((l) => !l.startsWith('  ') || kept++ < max);
  return [...shown, `... and ${rows - max} more lines (--max to see them)`];
}

function inputJson(f: LoadedFilter): DiffInputJson {
  return { source: f.source, kind: f.kind, arches: f.arches, instructions: f.program.length, endian: f.endian };
}

/** The report as the DiffJson object. */
export function diffJson(report: DiffReport, a: LoadedFilter, b: LoadedFilter): DiffJson {
  return {
    command: 'diff',
    a: inputJson(a),
    b: inputJson(b),
    same: report.differences.length === 0,
    method: report.method,
    reasons: report.reasons,
    compared: report.compared,
    differences: report.differences.map((d) => ({
      arch: d.arch,
      nr: d.nr,
      ...(d.syscall !== undefined ? { syscall: d.syscall } : {}),
      args: d.args,
      a: actionText(d.a, d.archName),
      b: actionText(d.b, d.archName),
      example: callJson(d.archName ?? d.arch, d.example, d.syscall),
    })),
  };
}

export const run: Command = async (argv, io: CliIO) => {
  const args = parseArgs({ '--arch': [String], '--load-timeout': String, '--max': Number, '--help': Boolean, '--json': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args._.length !== 2) throw new UsageError(`expected two inputs A and B, got ${args._.length}`);
  const max = args['--max'] ?? 200;
  if (!Number.isInteger(max) || max < 0) throw new UsageError('--max must be a non-negative integer');
  const arch = parseArchOption(args['--arch']);
  const timeout = parseLoadTimeout(args['--load-timeout']);
  const [a, b] = await Promise.all(args._.map((p) => loadInput(p, arch, timeout)));
  const report = diffFilters(a!, b!);
  if (args['--json']) {
    writeJson(io, diffJson(report, a!, b!));
    return report.differences.length === 0 ? 0 : 1;
  }
  io.stdout.write(`${describeInput('A', a!)}\n${describeInput('B', b!)}\n`);
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
