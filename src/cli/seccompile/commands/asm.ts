/**
 * `seccompile asm FILE.s -o FILE.bpf`: assembles bpf_asm-style text (what `disasm` prints) into
 * raw struct sock_filter bytes, after checking the program with the seccomp validator. Mistakes
 * are reported as FILE:LINE:COLUMN; a validator error names the source line of its instruction.
 */
import { assemble, AsmError, type Assembly } from '../../../bpf/assembler.js';
import { encode } from '../../../bpf/encode.js';
import { formatDiagnostic } from '../../../ir/diagnostics.js';
import { check } from '../../../bpf/validate.js';
import { parseArgs, writeOutput, UsageError, UserError, type Command } from '../../io.js';
import { firstProblems, isTerminal, LISTING_INPUT, readInput } from '../input.js';
import { onlyFile, parseEndian } from '../program-file.js';

const USAGE = `Usage: seccompile asm FILE.s [-o FILE.bpf] [--endian big|little] [--no-validate]

Assembles classic BPF text (bpf_asm syntax, as \`seccompile disasm\` prints it; FILE - reads
stdin) into raw struct sock_filter bytes. One instruction a line; labels end with ':', jump
targets are labels or +N; leading "N:" indexes and ';' comments are ignored; \`.insn code, jt,
jf, k\` writes a raw instruction; \`.endian big\` (as disasm prints for a big-endian filter) sets
the byte order. The program must be a valid seccomp filter.

Options:
  -o, --output FILE     write the filter to FILE; '-' writes to stdout. Without -o the bytes
                        go to stdout unless stdout is a terminal (then -o is required)
  --endian big|little   byte order to write (default: the text's .endian, else little; big
                        for s390x targets)
  --no-validate         write programs the kernel would reject (for testing validators)
  -h, --help            show this help

Exit status: 0 written, 1 assembly or validation errors (each with its line), 2 bad usage.
`;

function asmFailure(path: string, e: AsmError): UserError {
  const { shown, more } = firstProblems(e.diagnostics);
  return new UserError([...shown.map((d) => formatDiagnostic(d, path)), ...(more ? [more] : [])].join('\n'));
}

/** Validator problems as `FILE:LINE: instruction N: ...` with the offending source line quoted. */
function invalidProgram(path: string, text: string, assembly: Assembly): UserError | undefined {
  const problems = check(assembly.insns);
  if (problems.length === 0) return undefined;
  const source = text.split(/\r?\n/);
  const { shown, more } = firstProblems(problems);
  const lines = shown.map((p) => {
    const line = assembly.lines[p.pc];
    if (line === undefined) return `${path}: ${p.message} [${p.code}]`;
    return `${path}:${line}: ${p.message} [${p.code}]\n    ${line} | ${source[line - 1]!.trim()}`;
  });
  if (more) lines.push(more);
  return new UserError(`not a valid seccomp filter (--no-validate writes it anyway):\n${lines.join('\n')}`);
}

export const run: Command = async (argv, io) => {
  const args = parseArgs(
    { '--output': String, '-o': '--output', '--endian': String, '--no-validate': Boolean, '--help': Boolean, '-h': '--help' },
    argv,
  );
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const path = onlyFile(args._, 'FILE.s');
  const requested = parseEndian(args['--endian']);
  const output = args['--output'];
  if (output === undefined && isTerminal(io.stdout)) {
    throw new UsageError('refusing to write a binary filter to a terminal: give -o FILE (or -o - to force stdout)');
  }
  const text = (await readInput(path, io, LISTING_INPUT)).toString('utf8');
  let assembly: Assembly;
  try {
    assembly = assemble(text);
  } catch (e) {
    if (e instanceof AsmError) throw asmFailure(path, e);
    throw e;
  }
  if (!args['--no-validate']) {
    const failure = invalidProgram(path, text, assembly);
    if (failure) throw failure;
  }
  const bytes = encode(assembly.insns, requested ?? assembly.endian ?? 'little');
  await writeOutput(io, output ?? '-', bytes);
  return 0;
};
