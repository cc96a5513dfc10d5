/**
 * `seccompile wasm FILE.bpf [--endian big|little]`: prints the WebAssembly text the JIT
 * generates for a filter (src/wasm/wat.ts), for debugging the JIT or reading how a filter runs.
 * Only the text is produced here: wabt is not loaded.
 */
import { EncodingError } from '../../bpf/encode.js';
import { loadProgram, ProgramLoadError } from '../../bpf/load.js';
import { toWat } from '../../wasm/wat.js';
import { parseArgs, UsageError, UserError, type Command } from '../io.js';
import { readInput } from '../input.js';
import { parseEndian } from '../program-file.js';

const USAGE = `Usage: seccompile wasm FILE.bpf [--endian big|little]

Prints the WebAssembly text (WAT) that \`seccompile eval\` runs for a filter (raw struct
sock_filter bytes; FILE - reads stdin): a module exporting \`memory\`, \`run(in, out, n)\` and
\`run_steps(in, out, steps, n)\`, which evaluate n 64-byte seccomp_data records at \`in\` and
write the u32 return values (and instruction counts) at \`out\` (and \`steps\`), all at or
above the exported global \`heap_base\` (below it: the jump tables' step counts). Every BPF
instruction is a comment above its translation.

Options:
  --endian big|little   byte order of the file and of the seccomp_data records (default: the
                        order in which FILE.bpf is a valid filter, little when both are)
  -h, --help            show this help

Exit status: 0 printed, 1 invalid filter or unreadable file, 2 bad usage.
`;

export const run: Command = async (argv, io) => {
  const args = parseArgs({ '--endian': String, '--help': Boolean, '-h': '--help' }, argv);
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const files = args._;
  if (files.length !== 1) throw new UsageError(files.length ? `expected one FILE, got ${files.length}` : 'missing FILE.bpf');
  const path = files[0]!;
  const bytes = await readInput(path, io);
  let loaded;
  try {
    loaded = loadProgram(bytes, parseEndian(args['--endian']));
  } catch (e) {
    if (e instanceof EncodingError || e instanceof ProgramLoadError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
  io.stdout.write(toWat(loaded.program, { endian: loaded.order }));
  return 0;
};
