/**
 * `seccompile test POLICY CASES.jsonl [--arch A ...]`: runs expectation lines against the
 * policy's compiled filter (or a .bpf) and prints a pass/fail table; exit 1 on any failure.
 *
 *   {"syscall":"socket","args":[2],"expect":"errno(EACCES)"}
 *   {"syscall":"ptrace","expect":"kill","arch":"aarch64"}
 *
 * `expect`: allow (the call runs: allow or log), deny (errno, trap or kill), kill (either
 * kill), or an exact action (errno(EACCES), errno(13), trap(5), kill_process, log, ...).
 * `args`: numbers (negative: two's complement) or decimal/0x strings. Without `arch` a case runs
 * on every target arch where the syscall exists (see src/testing/expect.ts).
 */
import { actionText, parseActionText } from '../../../analysis/action-text.js';
import { callText, checkArches, expectationText, meets, type Expectation } from '../../../testing/expect.js';
import type { LoadedFilter } from '../../../testing/load.js';
import { simulate, SimulationError, type ArgValue } from '../../../testing/simulate.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../../io.js';
import { DEFAULT_LOAD_TIMEOUT } from '../../../loader/isolate.js';
import { readFileOrFail } from '../input.js';
import { loadInput, parseArchOption, parseLoadTimeout } from '../load-input.js';
import { writeJson, type TestJson } from '../json-output.js';

/** Bytes of the largest expectation file read (a case line is ~100 bytes). */
const MAX_CASES_BYTES = 64 * 1024 * 1024;

const USAGE = `Usage: seccompile test POLICY CASES.jsonl [--arch A ...]

Runs the expectations in CASES.jsonl (one JSON object a line) against the policy's compiled
filter (POLICY: a .ts/.js policy, an OCI profile .json or a .bpf filter) and prints a pass/fail
table:
  {"syscall":"socket","args":[2],"expect":"errno(EACCES)"}
  {"syscall":"ptrace","expect":"kill","arch":"aarch64"}
expect: allow | deny | kill | an exact action: errno(EACCES), errno(13), trap(5), kill_process,
kill_thread, log, user_notif, trace(N). args: up to six numbers or "0x..." strings (negative
numbers are two's complement). Without "arch", a case runs on every arch the policy targets
where the syscall exists. Blank lines and lines starting with // are skipped.

Options:
  --arch A    arches to compile a policy for, repeatable or comma-separated
  --load-timeout S
              seconds a .ts/.js policy's own code may run while it loads (default
              ${DEFAULT_LOAD_TIMEOUT}); past it the load fails
  --json      print one JSON object instead (the TestJson type, docs/cli.md, "--json")
  -h, --help  show this help

Exit status: 0 every case passed, 1 a case failed or is malformed, 2 bad usage.
`;

interface Case {
  readonly line: number;
  readonly syscall: string | number;
  readonly args: readonly ArgValue[];
  readonly arch?: string;
  readonly expect: Expectation;
}

const KEYS = new Set(['syscall', 'nr', 'args', 'arch', 'expect']);

/** Parses one case line, or returns why it is not one. */
export function parseCase(text: string, line: number): Case | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a case must be a JSON object';
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.has(k));
  if (unknown.length) return `unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (known: syscall, nr, args, arch, expect)`;
  let syscall: string | number;
  if (typeof o.syscall === 'string' && o.nr === undefined) syscall = o.syscall;
  else if (typeof o.nr === 'number' && o.syscall === undefined) syscall = o.nr;
  else return 'give "syscall" (a name) or "nr" (a number)';
  const args: ArgValue[] = [];
  if (o.args !== undefined) {
    if (!Array.isArray(o.args) || o.args.length > 6) return '"args" must be an array of up to six values';
    for (const [i, a] of o.args.entries()) {
      if (typeof a === 'number' && Number.isSafeInteger(a)) args.push(a);
      else if (typeof a === 'string' && /^(0x[0-9a-f]+|-?\d+)$/i.test(a)) args.push(BigInt(a));
      else return `args[${i}]: ${JSON.stringify(a)} is not an integer (numbers up to 2^53, or "0x..." strings)`;
    }
  }
  if (o.arch !== undefined && typeof o.arch !== 'string') return '"arch" must be an arch name';
  if (typeof o.expect !== 'string') return 'missing "expect" (allow, deny, kill, or an action such as "errno(EACCES)")';
  const e = o.expect.trim();
  let expect: Expectation;
  if (e === 'allow' || e === 'deny' || e === 'kill') expect = { kind: e === 'allow' ? 'allows' : e === 'deny' ? 'denies' : 'kills' };
  else {
    const a = parseActionText(e);
    if (typeof a === 'string') return `expect: ${a}`;
    expect = { kind: 'exactly', action: e };
  }
  return { line, syscall, args, ...(o.arch !== undefined ? { arch: o.arch as string } : {}), expect };
}

/** One check: a case on one arch, as `--json` prints it. */
type Row = TestJson['checks'][number];

function runCase(filter: LoadedFilter, c: Case): Row[] {
  try {
    return checkArches(filter, c.arch === undefined ? undefined : [c.arch], c.syscall).map((arch) => {
      const s = simulate(filter, { arch, syscall: c.syscall, args: c.args });
      return { line: c.line, pass: meets(c.expect, s), arch, call: callText(c.syscall, c.args), expected: expectationText(c.expect, s.arch), actual: actionText(s.decision, s.arch) };
    });
  } catch (e) {
    if (e instanceof SimulationError) return [{ line: c.line, pass: false, arch: c.arch ?? '-', call: String(c.syscall), expected: '-', actual: `error: ${e.message}` }];
    throw e;
  }
}

function table(rows: readonly Row[]): string {
  const cells = [['line', 'result', 'arch', 'call', 'expected', 'actual'], ...rows.map((r) => [String(r.line), r.pass ? 'pass' : 'FAIL', r.arch, r.call, r.expected, r.actual])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export const run: Command = async (argv, io: CliIO) => {
  const args = parseArgs({ '--arch': [String], '--load-timeout': String, '--help': Boolean, '--json': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args._.length !== 2) throw new UsageError(`expected POLICY and CASES.jsonl, got ${args._.length} argument${args._.length === 1 ? '' : 's'}`);
  const [policyPath, casesPath] = args._ as [string, string];
  const arch = parseArchOption(args['--arch']);
  const bytes = await readFileOrFail(casesPath, MAX_CASES_BYTES + 1);
  if (bytes.length > MAX_CASES_BYTES) throw new UserError(`${casesPath}: larger than ${MAX_CASES_BYTES / 1024 / 1024} MiB, the most seccompile reads of an expectation file`);
  const text = bytes.toString('utf8');
  const filter: LoadedFilter = await loadInput(policyPath, arch, parseLoadTimeout(args['--load-timeout']));
  const rows: Row[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split('\n').forEach((t, i) => {
    if (t.trim() === '' || t.trim().startsWith('//')) return;
    const c = parseCase(t, i + 1);
    if (typeof c === 'string') errors.push({ line: i + 1, message: c });
    else rows.push(...runCase(filter, c));
  });
  if (rows.length === 0 && errors.length === 0) throw new UserError(`${casesPath}: no test cases`);
  const failed = rows.filter((r) => !r.pass).length;
  const ok = failed === 0 && errors.length === 0;
  if (args['--json']) {
    writeJson(io, { command: 'test', policy: policyPath, cases: casesPath, ok, passed: rows.length - failed, failed, checks: rows, malformed: errors });
    return ok ? 0 : 1;
  }
  if (rows.length) io.stdout.write(table(rows));
  for (const e of errors) io.stdout.write(`${casesPath}:${e.line}: ${e.message}\n`);
  io.stdout.write(`${rows.length} checks: ${rows.length - failed} passed, ${failed} failed${errors.length ? `, ${errors.length} malformed line${errors.length === 1 ? '' : 's'}` : ''}\n`);
  return ok ? 0 : 1;
};
