/**
 * `seccompile verify POLICY [--arch A ...] [--filter FILE.bpf]`: checks the filter compiled from a
 * policy (or a given .bpf) against the policy's own semantics, on every target arch and a
 * foreign one: the sweep of every nr up to the arch's largest + 16 with argument values at and
 * around each compared constant, plus, for compare-only filters, the exhaustive region check
 * (src/analysis/verify.ts). Prints the counts per arch; on a mismatch, the smallest input
 * showing it, and exit status 1.
 */
import { verifyFilter, type VerifyReport } from '../../../analysis/verify.js';
import { policyCases } from '../../../analysis/cases.js';
import type { Evaluator } from '../../../seccomp/evaluate.js';
import { actionText } from '../../../analysis/action-text.js';
import { formatValue } from '../../../analysis/regions.js';
import type { LoadedFilter } from '../../../testing/load.js';
import { parseArgs, UsageError, type CliIO, type Command } from '../../io.js';
import { DEFAULT_LOAD_TIMEOUT } from '../../../loader/isolate.js';
import { loadInput, parseArchOption, parseLoadTimeout } from '../load-input.js';
import { callJson, writeJson, type VerifyJson } from '../json-output.js';

const USAGE = `Usage: seccompile verify POLICY [--arch A ...] [--filter FILE.bpf]

Compiles the policy (.ts, .js, or an OCI profile .json) and checks that the filter decides
exactly as the policy's rules say: on every target arch and a foreign one, every syscall number
from 0 to the arch's largest + 16, and argument values at and around every constant the rules
compare (both 32-bit halves).
For filters that only compare with constants (all that seccompile compiles), it also checks
every region of the input space, which covers every possible input.

Options:
  --arch A         target arches, repeatable or comma-separated (default: the policy's own,
                   else the host's and its compat arches)
  --filter FILE    check this compiled filter (.bpf) instead of compiling the policy
  --load-timeout S seconds a .ts/.js policy's own code may run while it loads (default
                   ${DEFAULT_LOAD_TIMEOUT}); past it the load fails
  --json           print one JSON object instead (the VerifyJson type, docs/cli.md, "--json")
  -h, --help       show this help

Exit status: 0 the filter matches the policy, 1 a mismatch (the smallest input showing it is
printed) or the policy does not load, 2 bad usage.
`;

/** Sweeps at least this large run through the JIT. */
export const JIT_THRESHOLD = 50_000;

const n = (x: number): string => x.toLocaleString('en-US');

/** The per-arch table and the verdict lines. */
export function formatVerify(report: VerifyReport, source: string, ms: number): string[] {
  const rows = [['arch', 'cases', 'regions', 'mismatches'], ...report.perArch.map((r) => [r.arch, n(r.cases), n(r.regions), n(r.mismatches)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const out = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  const scope = report.exhaustive
    ? 'exhaustive: the regions cover every input'
    : `NOT exhaustive (only the sweep ran: ${report.reasons.slice(0, 2).join('; ')})`;
  out.push(`${source}: ${n(report.cases)} cases and ${n(report.regions)} regions checked in ${ms.toFixed(0)} ms (${scope})`);
  const c = report.counterexample;
  if (!c) {
    out.push('ok: the filter decides as the policy');
    return out;
  }
  const arch = c.arch === 'other' ? `arch 0x${(c.data.arch >>> 0).toString(16).padStart(8, '0')}` : c.arch;
  const nr = formatValue(c.data.nr >>> 0);
  const call = `${c.syscall !== undefined ? `${c.syscall} (nr ${nr})` : `nr ${nr}`} args [${c.data.args.map(formatValue).join(', ')}]`;
  const archName = c.arch === 'other' ? undefined : c.arch;
  out.push(`MISMATCH: ${n(report.mismatches)} case${report.mismatches === 1 ? '' : 's'} or region${report.mismatches === 1 ? '' : 's'} decide differently; the smallest:`);
  out.push(`  ${arch} ${call}: filter ${actionText(c.filter, archName)}, policy ${actionText(c.policy, archName)}`);
  return out;
}

/** The report as the VerifyJson object. */
export function verifyJson(report: VerifyReport, policy: string, filter: string | undefined): VerifyJson {
  const c = report.counterexample;
  return {
    command: 'verify',
    policy,
    ...(filter !== undefined ? { filter } : {}),
    ok: report.mismatches === 0,
    exhaustive: report.exhaustive,
    reasons: report.reasons,
    cases: report.cases,
    regions: report.regions,
    mismatches: report.mismatches,
    perArch: report.perArch.map(({ arch, cases, regions, mismatches }) => ({ arch, cases, regions, mismatches })),
    ...(c
      ? {
          counterexample: {
            ...callJson(c.arch, c.data, c.syscall),
            filter: actionText(c.filter, c.arch === 'other' ? undefined : c.arch),
            policy: actionText(c.policy, c.arch === 'other' ? undefined : c.arch),
          },
        }
      : {}),
  };
}

export const run: Command = async (argv, io: CliIO) => {
  const args = parseArgs({ '--arch': [String], '--load-timeout': String, '--filter': String, '--help': Boolean, '--json': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args._.length !== 1) throw new UsageError(args._.length ? `expected one POLICY, got ${args._.length}` : 'missing POLICY');
  const path = args._[0]!;
  const started = performance.now();
  const policy = await loadInput(path, parseArchOption(args['--arch']), parseLoadTimeout(args['--load-timeout']));
  if (!policy.ir) throw new UsageError(`${path} is a compiled filter; verify needs the policy (use --filter FILE.bpf to check a filter against it)`);
  let filter: LoadedFilter = policy;
  if (args['--filter']) {
    filter = await loadInput(args['--filter'], undefined);
    if (filter.kind !== 'filter') throw new UsageError(`--filter takes a compiled filter (.bpf), not ${args['--filter']}`);
  }
  for (const w of policy.warnings) io.stderr.write(`${w}\n`);
  // The sweep's batch goes through the WebAssembly JIT when it is large enough to repay the
  // JIT's start-up (loading src/wasm, compiling); the interpreter otherwise. Same results either way.
  let evaluator: Evaluator | undefined;
  if (policyCases(policy.ir).length >= JIT_THRESHOLD) {
    const { jitEvaluator } = await import('../../../wasm/evaluator.js');
    evaluator = await jitEvaluator(filter.program, filter.endian);
  }
  const report = verifyFilter(policy.ir, filter, evaluator ? { evaluator: () => evaluator } : {});
  if (args['--json']) {
    writeJson(io, verifyJson(report, path, args['--filter']));
    return report.mismatches === 0 ? 0 : 1;
  }
  const source = args['--filter'] ? `${args['--filter']} vs ${path}` : path;
  io.stdout.write(formatVerify(report, source, performance.now() - started).join('\n') + '\n');
  return report.mismatches === 0 ? 0 : 1;
};
