/**
 * `seccompile wasm FILE.bpf [--endian big|little] [--wabt] [-o FILE.wasm]`: what the JIT makes of
 * a filter, for debugging the JIT or reading how a filter runs. The text (src/wasm/wat.ts) and the
 * binary (src/wasm/binary.ts) come from the same instruction list; wabt, loaded here, validates
 * the binary before anything is printed or written, and with --wabt disassembles it.
 */
import { encodeModule } from '../../../wasm/binary.js';
import { emitModule } from '../../../wasm/emit.js';
import { bpfComments, renderWat } from '../../../wasm/wat.js';
import { parseArgs, writeOutput, UsageError, type Command } from '../../io.js';
import { decodeFilter, onlyFile, parseEndian, readFilter } from '../program-file.js';

const USAGE = `Usage: seccompile wasm FILE.bpf [--endian big|little] [--wabt] [-o FILE.wasm]

Prints the WebAssembly text (WAT) that \`seccompile eval\` runs for a filter (raw struct
sock_filter bytes; FILE - reads stdin): a module exporting \`memory\`, \`run(in, out, n)\` and
\`run_steps(in, out, steps, n)\`, which evaluate n 64-byte seccomp_data records at \`in\` and
write the u32 return values (and instruction counts) at \`out\` (and \`steps\`), all at or
above the exported global \`heap_base\` (below it: the jump tables' data). Every BPF
instruction is a comment above its translation. The text and the binary the JIT runs are made
from the same instruction list, and wabt (the WebAssembly Binary Toolkit) validates the binary
first.

Options:
  --endian big|little   byte order of the file and of the seccomp_data records (default: the
                        order in which FILE.bpf is a valid filter, little when both are)
  --wabt                print wabt's disassembly of the binary instead (as wasm2wat prints it:
                        indices for names, indented by nesting, no BPF comments)
  -o, --output FILE     write the WebAssembly binary to FILE ('-' for stdout) instead of text
  -h, --help            show this help

Exit status: 0 printed or written, 1 invalid filter, unreadable file or unwritable output,
2 bad usage.
`;

export const run: Command = async (argv, io) => {
  const args = parseArgs(
    { '--endian': String, '--wabt': Boolean, '--output': String, '-o': '--output', '--help': Boolean, '-h': '--help' },
    argv,
  );
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const path = onlyFile(args._, 'FILE.bpf');
  const output = args['--output'];
  if (output !== undefined && args['--wabt']) throw new UsageError('--wabt prints text and -o writes the binary: give one of them');
  const { program, order } = decodeFilter(await readFilter(path, io), path, parseEndian(args['--endian']));
  const module = emitModule(program, { endian: order });
  const binary = encodeModule(module);
  const wabt = await import('../../../wasm/wabt.js');
  try {
    await wabt.wabtValidate(binary);
  } catch (e) {
    // A bug in the JIT, not in FILE: an internal error (exit status 70).
    throw new Error(`wabt rejects the WebAssembly the JIT made of ${path}: ${(e as Error).message}`);
  }
  if (args['--wabt']) {
    io.stdout.write(await wabt.wabtDisassemble(binary));
    return 0;
  }
  if (output === undefined) {
    io.stdout.write(renderWat(module, bpfComments(program)));
    return 0;
  }
  await writeOutput(io, output, binary);
  return 0;
};
