/**
 * `seccompile eval FILE.bpf [--endian big|little]`: runs the filter on system calls read as JSON
 * lines from stdin and writes one result line per case, in order (the contract is in
 * ../eval-case.ts and README.md). Lines are evaluated in batches through an `Evaluator`, so a
 * faster engine can replace the interpreter for large inputs without changing the command.
 */
import type { Program } from '../../bpf/validate.js';
import { EncodingError } from '../../bpf/encode.js';
import { loadProgram, ProgramLoadError } from '../../bpf/load.js';
import type { Endian } from '../../seccomp/abi.js';
import type { SeccompData } from '../../seccomp/data.js';
import { InterpreterEvaluator, type Evaluator } from '../../seccomp/evaluate.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../io.js';
import { formatCaseError, formatEvaluation, parseEvalCase } from '../eval-case.js';
import { parseEndian, readFilterFile } from '../program-file.js';

const USAGE = `Usage: seccompile eval FILE.bpf [--endian big|little] < cases.jsonl

Runs the filter on each case (one JSON object a line on stdin) and writes one JSON result line
per case, in order:
  in:  {"arch":"x86_64","nr":41,"args":[2,1,0],"ip":0}   ("syscall":"socket" may replace "nr")
  out: {"action":"errno","errno":13,"ret":"0x0005000d","steps":9}
A malformed line gets {"error":"line N: ..."}; blank lines are skipped.

Options:
  --endian big|little  the filter's (and seccomp_data's) byte order (default: the order in
                       which FILE.bpf is a valid program, little when both are)
  -h, --help           show this help
`;

/** Cases evaluated together; also bounds memory for endless input streams. */
export const BATCH_SIZE = 4096;

/** Makes the Evaluator that answers the cases of one `eval` run. */
export type EvaluatorFactory = (program: Program, endian: Endian) => Evaluator;

export const interpreterEvaluator: EvaluatorFactory = (program, endian) => new InterpreterEvaluator(program, endian);

/** The `eval` command over a given evaluation engine. */
export function makeEvalCommand(createEvaluator: EvaluatorFactory): Command {
  return async (argv, io) => {
    const args = parseArgs({ '--endian': String, '--help': Boolean, '-h': '--help' }, argv);
    if (args['--help']) {
      io.stdout.write(USAGE);
      return 0;
    }
    const files = args._;
    if (files.length !== 1) throw new UsageError(files.length === 0 ? 'missing FILE.bpf' : `expected one FILE.bpf, got ${files.length}`);
    const file = files[0]!;
    const endian = parseEndian(args['--endian']);
    const bytes = await readFilterFile(file);
    let loaded;
    try {
      loaded = loadProgram(bytes, endian);
    } catch (e) {
      if (e instanceof EncodingError || e instanceof ProgramLoadError) throw new UserError(`${file}: ${e.message}`);
      throw e;
    }
    await evaluateLines(io, createEvaluator(loaded.program, loaded.order));
    return 0;
  };
}

interface Pending {
  readonly line: number;
  readonly text: string;
}

async function evaluateLines(io: CliIO, evaluator: Evaluator): Promise<void> {
  let batch: Pending[] = [];
  let lineNumber = 0;
  for await (const text of io.stdinLines()) {
    lineNumber++;
    if (text.trim() === '') continue;
    batch.push({ line: lineNumber, text });
    if (batch.length >= BATCH_SIZE) {
      io.stdout.write(answer(batch, evaluator));
      batch = [];
    }
  }
  if (batch.length) io.stdout.write(answer(batch, evaluator));
}

/** The output lines for one batch: cases evaluated in one call, errors in their places. */
function answer(batch: readonly Pending[], evaluator: Evaluator): string {
  const parsed = batch.map((p) => parseEvalCase(p.text));
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

export const run: Command = makeEvalCommand(interpreterEvaluator);
