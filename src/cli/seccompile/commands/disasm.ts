/**
 * `seccompile disasm FILE.bpf`: prints a filter one instruction a line with seccomp annotations.
 * `seccompile disasm --source POLICY` compiles a policy and lists it with each instruction's
 * provenance (the rule, or the part of the dispatch, it came from).
 * The byte order is detected (the order in which the file is a valid filter) unless --endian
 * says it; an invalid program is still listed, its problems follow on stderr and the exit status is 1.
 * A text file (an assembly listing, a policy) is refused with the command that takes it.
 */
import { decode, type ByteOrder } from '../../../bpf/encode.js';
import { disassemble } from '../../../bpf/disasm.js';
import { ProgramLoadError } from '../../../bpf/load.js';
import type { BpfError } from '../../../bpf/validate.js';
import { annotateSeccomp } from '../../../seccomp/annotate.js';
import { filterFromBytes } from '../../../source/filter.js';
import { SourceError } from '../../../source/types.js';
import { tableSyscallName } from '../../../syscalls/syscall-namer.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../../io.js';
import { firstProblems } from '../input.js';
import { onlyFile, parseEndian, readFilter, refuseText } from '../program-file.js';

const USAGE = `Usage: seccompile disasm FILE.bpf [--endian big|little] [--no-annotate]
       seccompile disasm --source POLICY [--arch A ...]

Lists a classic BPF filter (raw struct sock_filter bytes; FILE - reads stdin) one instruction
a line in bpf_asm syntax, jump targets as labels, and after ';' what the seccomp filter means:
the seccomp_data field a load reads, architectures by name, syscall names where nr is compared
after an arch check, and decoded return actions. \`seccompile asm\` reads the listing back (a
big-endian filter's listing starts with \`.endian big\`, so the bytes come back the same).

With --source, POLICY (a .ts/.js policy or an OCI profile .json) is compiled as \`seccompile
POLICY\` would and listed with, in brackets, where each instruction came from: the rule
(rules[N] and file:line:column; syscalls[N] of an OCI profile), or the arch check, the syscall
nr tree, the argument value tree of a run of equality rules, or the default / newer / badArch
return. A shared instruction names all its sources.

Options:
  --endian big|little   byte order of the file (default: the order in which it is a valid
                        filter; little when it is valid in neither)
  --no-annotate         instructions only, no seccomp comments
  --source POLICY       list what POLICY compiles to, annotated with each instruction's rule
  --arch A              with --source: target arches, repeatable or comma-separated
  -h, --help            show this help

Exit status: 0 valid filter, 1 invalid filter (listed anyway, problems on stderr), unreadable
file or policy errors, 2 bad usage.
`;

/**
 * The byte order to show and its problems: the requested one, else a valid order if any, else
 * the one with fewest problems. A UserError for bytes that are not whole instructions.
 */
function pickOrder(bytes: Uint8Array, requested: ByteOrder | undefined, path: string): { order: ByteOrder; problems: readonly BpfError[] } {
  try {
    return { order: filterFromBytes(bytes, path, requested).endian, problems: [] };
  } catch (x) {
    if (!(x instanceof SourceError)) throw x;
    const e = x.cause;
    if (!(e instanceof ProgramLoadError)) throw new UserError(x.message);
    if (requested) return { order: requested, problems: e.errors[requested] ?? [] };
    const little = e.errors.little ?? [];
    const big = e.errors.big ?? [];
    return big.length < little.length ? { order: 'big', problems: big } : { order: 'little', problems: little };
  }
}

/** `--source POLICY`: compile and list with provenance. */
async function listSource(path: string, arch: readonly string[] | undefined, io: CliIO): Promise<number> {
  const { parseArchOption } = await import('../load-input.js');
  const { loadPolicySource } = await import('../policy-source.js');
  const { ir, locate } = await loadPolicySource(path, parseArchOption(arch), io, 'not compiled');
  const { compile, CompileError } = await import('../../../compiler/index.js');
  const { sourceListing } = await import('../../../analysis/source-listing.js');
  let result;
  try {
    result = compile(ir);
  } catch (e) {
    if (e instanceof CompileError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
  io.stdout.write((result.endian === 'big' ? '.endian big\n' : '') + sourceListing(result, ir, { locate, syscallName: tableSyscallName }));
  return 0;
}

export const run: Command = async (argv, io) => {
  const args = parseArgs(
    { '--endian': String, '--no-annotate': Boolean, '--source': String, '--arch': [String], '--help': Boolean, '-h': '--help' },
    argv,
  );
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  const source = args['--source'];
  if (source !== undefined) {
    if (args._.length > 0) throw new UsageError(`--source lists what POLICY compiles to: give no FILE.bpf (got ${args._.join(' ')})`);
    for (const option of ['--endian', '--no-annotate'] as const) {
      if (args[option] !== undefined) throw new UsageError(`${option} does not apply to --source (a compiled policy's byte order is its arches')`);
    }
    return listSource(source, args['--arch'], io);
  }
  if (args['--arch'] !== undefined) throw new UsageError('--arch applies to --source POLICY only (a .bpf file names its own arches)');
  const path = onlyFile(args._, 'FILE.bpf');
  const requested = parseEndian(args['--endian']);
  const bytes = await readFilter(path, io);
  refuseText(bytes, path);
  const { order, problems } = pickOrder(bytes, requested, path);
  const insns = decode(bytes, order);
  const notes = args['--no-annotate'] ? [] : annotateSeccomp(insns, { endian: order, syscallName: tableSyscallName });
  const flagged = new Map<number, string>();
  for (const p of problems) flagged.set(p.pc, [flagged.get(p.pc), `INVALID: ${p.code}`].filter(Boolean).join(', '));
  const annotate = (pc: number) => [notes[pc], flagged.get(pc)].filter(Boolean).join('; ') || undefined;
  // The byte order is not in the instructions: say it, so that `seccompile asm` gives the same bytes back.
  io.stdout.write((order === 'big' ? '.endian big\n' : '') + disassemble(insns, { annotate }));
  if (problems.length === 0) return 0;
  const how = requested ? `as ${order}-endian` : `in either byte order (listed as ${order}-endian)`;
  io.stderr.write(`seccompile disasm: ${path} is not a valid seccomp filter ${how}:\n`);
  const { shown, more } = firstProblems(problems);
  for (const p of shown) io.stderr.write(`  ${p.message} [${p.code}]\n`);
  if (more) io.stderr.write(`  ${more}\n`);
  return 1;
};
