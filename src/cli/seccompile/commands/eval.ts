/**
 * `seccompile eval FILE.bpf [--endian big|little] [--engine auto|interpreter|jit]`: runs the filter
 * on system calls read as JSON lines from stdin and writes one result line per case, in order (the
 * contract is in ../eval-case.ts and docs/bpf-toolkit.md). Lines are evaluated in batches through an
 * `Evaluator`: the interpreter, and with `--engine auto` the WebAssembly JIT (src/wasm/, loaded
 * only then) from the batch after JIT_THRESHOLD cases on. Answers are identical either way
 * (test/cli/eval-engine.test.ts), so the switch is invisible but for the time it takes.
 */
import type { Program } from '../../../bpf/validate.js';
import type { Endian } from '../../../seccomp/abi.js';
import type { SeccompData } from '../../../seccomp/data.js';
import { InterpreterEvaluator, type Evaluator } from '../../../seccomp/evaluate.js';
import { parseArgs, UsageError, writeDrained, type CliIO, type Command } from '../../io.js';
import { formatCaseError, formatEvaluation, parseEvalCase, type ParsedCase } from '../eval-case.js';
import { loadFilter, onlyFile, parseEndian, readFilter } from '../program-file.js';

/**
 * Cases after which `--engine auto` compiles the filter to WebAssembly and continues with it.
 * Measured (bench/jit.bench.ts "eval" rows, CPU time of fresh processes): JSON parsing and printing
 * dominate (~3 us a case), so the engines differ by a few percent at most; the JIT's fixed cost
 * (loading src/wasm and compiling, ~10 ms) buys little next to that. Switching at 500,000 keeps
 * ordinary runs free of the JIT.
 */
export const JIT_THRESHOLD = 500_000;

const USAGE = `Usage: seccompile eval FILE.bpf [--endian big|little] [--engine E] < cases.jsonl

Runs the filter on each case (one JSON object a line on stdin) and writes one JSON result line
per case, in order:
  in:  {"arch":"x86_64","nr":41,"args":[2,1,0],"ip":0}   ("syscall":"socket" may replace "nr")
  out: {"action":"errno","errno":13,"ret":"0x0005000d","steps":9}
A malformed line gets {"error":"line N: ..."}; blank lines are skipped.

Options:
  --endian big|little  the filter's (and seccomp_data's) byte order (default: the order in
                       which FILE.bpf is a valid program, little when both are)
  --engine E           auto (default): the interpreter, then the WebAssembly JIT after
                       ${JIT_THRESHOLD} cases; interpreter; jit. Results are identical.
  -h, --help           show this help
`;

/**
 * Cases evaluated together; with BATCH_BYTES and MAX_CASE_LINE, what bounds memory: stdin is
 * read only as fast as results are written, and results only as fast as stdout takes them.
 */
export const BATCH_SIZE = 4096;
/** A batch is also answered once its lines hold this many characters. */
export const BATCH_BYTES = 1 << 20;
/** The longest case line read; a longer one gets an error result (a case is ~100 characters). */
export const MAX_CASE_LINE = 16 * 1024;

/** Makes the Evaluator that answers the cases of one `eval` run. */
export type EvaluatorFactory = (program: Program, endian: Endian) => Evaluator | Promise<Evaluator>;

export const interpreterEvaluator = (program: Program, endian: Endian): Evaluator => new InterpreterEvaluator(program, endian);

/** The WebAssembly JIT; its module (and wabt) load only when it is used. */
export const jitEvaluator: EvaluatorFactory = async (program, endian) =>
  (await import('../../../wasm/evaluator.js')).jitEvaluator(program, endian);

/** A faster engine to continue with once `after` cases have been answered. */
export interface EngineSwitch {
  readonly after: number;
  readonly to: EvaluatorFactory;
}

/** What `--engine auto` does: the interpreter, then the JIT after JIT_THRESHOLD cases. */
export const AUTO_SWITCH: EngineSwitch = { after: JIT_THRESHOLD, to: jitEvaluator };

/**
 * The `eval` command over a given evaluation engine, optionally switching to another one for
 * long inputs. `--engine interpreter|jit` overrides both.
 */
export function makeEvalCommand(createEvaluator: EvaluatorFactory, switchTo?: EngineSwitch): Command {
  return async (argv, io) => {
    const args = parseArgs({ '--endian': String, '--engine': String, '--help': Boolean, '-h': '--help' }, argv);
    if (args['--help']) {
      io.stdout.write(USAGE);
      return 0;
    }
    const file = onlyFile(args._, 'FILE.bpf');
    if (file === '-') throw new UsageError('the cases come on stdin: give the filter as a file, not -');
    const endian = parseEndian(args['--endian']);
    const engine = args['--engine'] ?? 'auto';
    if (engine !== 'auto' && engine !== 'interpreter' && engine !== 'jit') {
      throw new UsageError(`--engine must be auto, interpreter or jit, not '${engine}'`);
    }
    const { program, order } = loadFilter(await readFilter(file, io), file, endian);
    const first = engine === 'auto' ? createEvaluator : engine === 'jit' ? jitEvaluator : interpreterEvaluator;
    const later = engine === 'auto' ? switchTo : undefined;
    await evaluateLines(io, await first(program, order), later && { after: later.after, to: () => later.to(program, order) });
    return 0;
  };
}

interface Pending {
  readonly line: number;
  readonly text: string;
}

async function evaluateLines(
  io: CliIO,
  initial: Evaluator,
  switchTo?: { readonly after: number; readonly to: () => Evaluator | Promise<Evaluator> },
): Promise<void> {
  let evaluator = initial;
  let pendingSwitch = switchTo;
  let answered = 0;
  let batch: Pending[] = [];
  let batchChars = 0;
  let lineNumber = 0;
  const flush = async (): Promise<void> => {
    if (pendingSwitch && answered >= pendingSwitch.after) {
      evaluator = await pendingSwitch.to();
      pendingSwitch = undefined;
    }
    const out = answer(batch, evaluator);
    answered += batch.length;
    batch = [];
    batchChars = 0;
    await writeDrained(io.stdout, out);
  };
  for await (const text of io.stdinLines(MAX_CASE_LINE)) {
    lineNumber++;
    if (text.trim() === '') continue;
    batch.push({ line: lineNumber, text });
    batchChars += text.length;
    if (batch.length >= BATCH_SIZE || batchChars >= BATCH_BYTES) await flush();
  }
  if (batch.length) await flush();
}

/** The output lines for one batch: cases evaluated in one call, errors in their places. */
function answer(batch: readonly Pending[], evaluator: Evaluator): string {
  const parsed = batch.map((p): ParsedCase =>
    p.text.length > MAX_CASE_LINE ? { ok: false, error: `longer than ${MAX_CASE_LINE} characters; a case is one JSON object a line` } : parseEvalCase(p.text),
  );
  const inputs: SeccompData[] = [];
  for (const p of parsed) if (p.ok) inputs.push(p.data);
  const results = evaluator.evaluateBatch(inputs);
  let next = 0;
  let out = '';
  parsed.forEach((p, i) => {
    out += (p.ok ? formatEvaluation(results[next++]!) : formatCaseError(batch[i]!.line, p.error)) + '\n';
  });
  return out;
}

export const run: Command = makeEvalCommand(interpreterEvaluator, AUTO_SWITCH);
