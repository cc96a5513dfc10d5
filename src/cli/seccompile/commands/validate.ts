/**
 * `seccompile validate FILE.bpf [--endian big|little]`: says whether the kernel would accept the
 * file as a seccomp filter, and if not, every rule it breaks with the instruction index.
 * Exit 0 when valid, 1 when not.
 */
import { decode, type ByteOrder } from '../../../bpf/encode.js';
import { ProgramLoadError } from '../../../bpf/load.js';
import { BPF_ERROR, type BpfError } from '../../../bpf/validate.js';
import { disassembleLines, windowAround, type DisasmLine } from '../../../bpf/disasm.js';
import { filterFromBytes } from '../../../source/filter.js';
import { SourceError } from '../../../source/types.js';
import { parseArgs, UserError, type Command } from '../../io.js';
import { firstProblems } from '../input.js';
import { onlyFile, parseEndian, readFilter } from '../program-file.js';

const USAGE = `Usage: seccompile validate FILE.bpf [--endian big|little]

Checks FILE.bpf (raw struct sock_filter array; FILE - reads stdin) with the kernel's rules for
seccomp filters (bpf_check_classic + seccomp_check_filter) and lists the problems (the first 20,
then their count) with their instruction index. A file larger than 4096 instructions is refused
after reading that much.

Options:
  --endian big|little  the filter's byte order (default: the order in which it is valid,
                       little when both are)
  -h, --help           show this help
`;

export const run: Command = async (argv, io) => {
  const args = parseArgs({ '--endian': String, '--help': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const file = onlyFile(args._, 'FILE.bpf');
  const endian = parseEndian(args['--endian']);
  const bytes = await readFilter(file, io);
  try {
    const { program, endian: order } = filterFromBytes(bytes, file, endian);
    io.stdout.write(`${file}: valid seccomp filter, ${program.length} instruction${program.length === 1 ? '' : 's'}, ${order}-endian\n`);
    return 0;
  } catch (x) {
    if (!(x instanceof SourceError)) throw x;
    // Not whole instructions: one line. Not a valid program: every problem, from src/bpf's error.
    const e = x.cause;
    if (!(e instanceof ProgramLoadError)) throw new UserError(x.message);
    const orders = Object.keys(e.errors) as ByteOrder[];
    // Show the full list for the order the user asked for, or for little-endian when guessing.
    const shown = orders[0]!;
    const lines = disassembleLines(decode(bytes, shown));
    io.stderr.write(`${file}: not a valid seccomp filter${endian ? '' : ` in either byte order; as ${shown}-endian`}:\n`);
    const { shown: first, more } = firstProblems(e.errors[shown]!);
    for (const err of first) io.stderr.write(describe(err, lines));
    if (more) io.stderr.write(`  ${more}\n`);
    for (const other of orders.slice(1)) {
      const n = e.errors[other]!.length;
      io.stderr.write(`  (as ${other}-endian: ${n} problem${n === 1 ? '' : 's'}, first: ${e.errors[other]![0]!.message})\n`);
    }
    return 1;
  }
};

/** The problem, then the disassembly around it (the instruction marked with '>'). */
function describe(err: BpfError, lines: readonly DisasmLine[]): string {
  const around = err.code === BPF_ERROR.EMPTY ? '' : windowAround(lines, err.pc, 1).replace(/^(?=.)/gm, '      ');
  return `  ${err.message} (${err.code})\n${around}`;
}
