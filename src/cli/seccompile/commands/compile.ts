/**
 * `seccompile POLICY [-o FILE] [--arch A ...] [--format F] [--verbose]` (also `seccompile compile`):
 * loads a policy file (src/source), normalizes it to the rule IR, compiles it, writes the filter.
 * Diagnostics (errors and warnings, with file:line:column where known) go to stderr; any error,
 * or a filter the kernel would refuse (over 4096 instructions), is exit status 1 with nothing
 * written. The loader, normalizer and compiler are imported lazily so `--help` stays instant.
 */
import { basename, extname } from 'node:path';
import type { CompileResult } from '../../../compiler/index.js';
import { DEFAULT_LOAD_TIMEOUT } from '../../../loader/isolate.js';
import { sourceKind } from '../../../source/kinds.js';
import type { PolicySource, SourceOptions } from '../../../source/types.js';
import { formatFilter, isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../filter-output.js';
import { isTerminal } from '../input.js';
import { exportPolicy, isExportFormat, parseOciOptions, type ExportFormat } from '../oci-input.js';
import { parseArgs, writeOutput, UsageError, UserError, type CliIO, type Command } from '../../io.js';

const USAGE = `Usage: seccompile POLICY [-o FILE] [--arch A ...] [--format F] [--verbose]
       seccompile compile POLICY ...
       seccompile PROFILE.json [-o FILE] [--arch NATIVE] [--caps LIST] [--kernel X.Y] [--format F]

Compiles a policy (a .ts or .js file with \`export default policy({...})\`) to a seccomp filter.
A .json file is an OCI / Docker / Podman seccomp profile, read as runc + libseccomp read it.

Options:
  -o, --output FILE   where to write the filter (default: stdout; - is stdout)
  --arch A            target architecture, repeatable or comma-separated (x86_64, x86, x32,
                      aarch64, arm, riscv64, s390x, ppc64le, loongarch64); overrides the
                      policy's \`arch\` (default: the host's arch and its compat arches)
  --format F          bpf (default: raw struct sock_filter[] in the target's byte order, for
                      prctl and \`bwrap --seccomp FD\`), disasm, c, hex, json; or, instead of
                      a filter: oci (an OCI/Docker seccomp profile, JSON) or k8s (a Security
                      Profiles Operator SeccompProfile, YAML)
  --caps LIST         OCI profiles: the container's capabilities for includes/excludes.caps,
                      comma-separated, or ALL (default: Docker's default set)
  --kernel X.Y        OCI profiles: kernel version for minKernel (default: the running kernel)
  --load-timeout S    seconds a .ts/.js policy's own code may run while it loads (default
                      ${DEFAULT_LOAD_TIMEOUT}); past it the load fails
  -v, --verbose       list syscalls skipped per arch (absent there) and build statistics
  -h, --help          show this help

Exit status: 0 compiled, 1 policy errors or a filter over 4096 instructions, 2 bad usage.
`;

function formatStats(result: CompileResult): string[] {
  const s = result.stats;
  const perArch = (r: Readonly<Record<string, number>>) =>
    Object.entries(r)
      .map(([a, n]) => `${a} ${n}`)
      .join(', ');
  return [
    `instructions: ${s.instructions} (${result.endian}-endian)`,
    `nr ranges: ${perArch(s.ranges)}`,
    `argument-dependent syscalls: ${perArch(s.argumentDependent)}`,
    `binary search depth: ${perArch(s.searchDepth)}`,
    `far jumps: ${s.trampolines} JA trampolines, ${s.returnCopies} copied returns`,
  ];
}

export const run: Command = async (argv, io: CliIO) => {
  const args = parseArgs(
    {
      '--output': String,
      '-o': '--output',
      '--arch': [String],
      '--format': String,
      '--caps': String,
      '--kernel': String,
      '--load-timeout': String,
      '--verbose': Boolean,
      '-v': '--verbose',
      '--help': Boolean,
      '-h': '--help',
    },
    argv,
  );
  if (args['--help']) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args._.length !== 1) throw new UsageError(args._.length ? `expected one POLICY, got ${args._.length}` : 'missing POLICY');
  const path = args._[0]!;
  const format = args['--format'] ?? 'bpf';
  if (!isOutputFormat(format) && !isExportFormat(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, oci, k8s, not '${format}'`);
  const output = args['--output'] ?? '-';
  if (output === '-' && format === 'bpf' && isTerminal(io.stdout)) {
    throw new UsageError('refusing to write a binary filter to a terminal: use -o FILE or --format disasm');
  }

  const kind = sourceKind(path) ?? 'module';
  if (kind === 'filter') throw new UserError(`${path} is a compiled filter already: \`seccompile disasm ${path}\` shows it`);
  const isOci = kind === 'oci';
  for (const option of ['--caps', '--kernel'] as const) {
    if (args[option] !== undefined && !isOci) throw new UsageError(`${option} applies to OCI profiles (.json) only, not to ${basename(path)}`);
  }
  // Imported here, not at the top, so `--help` stays instant.
  const [{ parseArchOption, parseLoadTimeout }, { loadPolicySource, SourceError }] = await Promise.all([import('../load-input.js'), import('../../../source/load.js')]);
  const arch = parseArchOption(args['--arch']);
  const oci = isOci ? await parseOciOptions({ ...(arch ? { arches: arch } : {}), caps: args['--caps'], kernel: args['--kernel'] }) : {};
  const loadTimeout = parseLoadTimeout(args['--load-timeout']);
  const options: SourceOptions = { otherwise: 'module', ...(arch ? { arch } : {}), ...(loadTimeout !== undefined ? { loadTimeout } : {}), oci };
  let loaded: PolicySource;
  let result: CompileResult | undefined;
  try {
    loaded = await loadPolicySource(path, options);
    // --format oci|k8s writes the policy itself: a policy too large for one filter still exports.
    if (!isExportFormat(format)) result = (await import('../../../source/policy.js')).compileSource(loaded).compiled;
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    if (e.diagnostics.length === 0 || e.errors.length === 0) throw new UserError(e.message);
    for (const d of e.diagnostics) io.stderr.write(`${d.text}\n`);
    io.stderr.write(`seccompile compile: ${path}: not compiled (errors above)\n`);
    return 1;
  }
  for (const d of loaded.diagnostics) io.stderr.write(`${d.text}\n`);
  const ir = loaded.ir;
  if (!result) {
    const { text, warnings } = await exportPolicy(ir, format as ExportFormat, path);
    for (const w of warnings) io.stderr.write(`seccompile compile: warning: ${w}\n`);
    await writeOutput(io, output, text);
    return 0;
  }
  if (args['--verbose']) {
    for (const section of ir.sections) {
      const skipped = loaded.skipped.filter((x) => x.arch === section.arch).map((x) => x.syscall);
      io.stderr.write(`${section.arch}: ${skipped.length ? `skipped (absent on ${section.arch}): ${skipped.join(', ')}` : 'no syscall skipped'}\n`);
    }
    for (const line of formatStats(result)) io.stderr.write(`${line}\n`);
  }
  const policy = basename(path, extname(path));
  const out = formatFilter(result, format as OutputFormat, { policy, arches: ir.sections.map((s) => s.arch) });
  await writeOutput(io, output, out);
  return 0;
};
