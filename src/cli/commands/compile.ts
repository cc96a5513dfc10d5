/**
 * `seccompile POLICY [-o FILE] [--arch A ...] [--format F] [--verbose]` (also `seccompile compile`):
 * loads a policy file, normalizes it to the rule IR, compiles it, writes the filter.
 * Diagnostics (errors and warnings, with file:line:column where known) go to stderr; any error,
 * or a filter the kernel would refuse (over 4096 instructions), is exit status 1 with nothing
 * written. The loader, normalizer and compiler are imported lazily so `--help` stays instant.
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { PolicyIR } from '../../ir/types.js';
import type { CompileResult } from '../../compiler/index.js';
import { DEFAULT_LOAD_TIMEOUT } from '../../loader/isolate.js';
import { formatFilter, isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../filter-output.js';
import { isTerminal } from '../input.js';
import { exportPolicy, isExportFormat, loadOciPolicy, type OciInputOptions } from '../oci-input.js';
import { parseArgs, UsageError, UserError, type CliIO, type Command } from '../io.js';

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

/** A policy file turned into IR, with what the user should hear about it. */
interface LoadedPolicy {
  readonly ir: PolicyIR | undefined;
  /** Formatted diagnostics (errors and warnings), in order. */
  readonly messages: readonly string[];
  readonly hasErrors: boolean;
  /** Syscalls absent on a target arch, per arch. */
  readonly skipped: ReadonlyMap<string, readonly string[]>;
}

/**
 * Policy files by kind. An OCI runtime-spec seccomp JSON plugs in as another entry
 * here: a loader from the file to the same LoadedPolicy.
 */
async function loadPolicy(path: string, arches: readonly string[] | undefined, oci: OciInputOptions = {}, timeout?: number): Promise<LoadedPolicy> {
  if (extname(path).toLowerCase() === '.json') return loadOciPolicy(path, { ...oci, ...(arches ? { arches } : {}) });
  const [{ loadPolicyFile, PolicyLoadError }, { normalize }, { formatDiagnostic, hasErrors }] = await Promise.all([
    import('../../loader/policy-file.js'),
    import('../../ir/normalize.js'),
    import('../../ir/diagnostics.js'),
  ]);
  let loaded: Awaited<ReturnType<typeof loadPolicyFile>>;
  try {
    loaded = await loadPolicyFile(path, timeout !== undefined ? { timeout } : {});
  } catch (e) {
    if (e instanceof PolicyLoadError) {
      return { ir: undefined, messages: e.diagnostics.map((d) => formatDiagnostic(d)), hasErrors: true, skipped: new Map() };
    }
    throw e;
  }
  const { spec, file } = loaded;
  const result = normalize(spec, { ...(arches ? { arches } : {}), sourceFile: file });
  const skipped = new Map<string, string[]>();
  for (const s of result.skipped) skipped.set(s.arch, [...(skipped.get(s.arch) ?? []), s.syscall]);
  return {
    ir: result.ir,
    messages: result.diagnostics.map((d) => formatDiagnostic(d)),
    hasErrors: hasErrors(result.diagnostics),
    skipped,
  };
}

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

  const isOci = extname(path).toLowerCase() === '.json';
  for (const option of ['--caps', '--kernel'] as const) {
    if (args[option] !== undefined && !isOci) throw new UsageError(`${option} applies to OCI profiles (.json) only, not to ${basename(path)}`);
  }
  const oci: OciInputOptions = { ...(args['--caps'] !== undefined ? { caps: args['--caps'] } : {}), ...(args['--kernel'] ? { kernel: args['--kernel'] } : {}) };
  // Imported here, not at the top, so `--help` stays instant (load-input pulls in the test API's loader).
  const { parseArchOption, parseLoadTimeout } = await import('../load-input.js');
  const loaded = await loadPolicy(path, parseArchOption(args['--arch']), oci, parseLoadTimeout(args['--load-timeout']));
  for (const m of loaded.messages) io.stderr.write(`${m}\n`);
  if (loaded.hasErrors || !loaded.ir) {
    io.stderr.write(`seccompile compile: ${path}: not compiled (errors above)\n`);
    return 1;
  }
  const ir = loaded.ir;
  if (isExportFormat(format)) {
    const { text, warnings } = await exportPolicy(ir, format, path);
    for (const w of warnings) io.stderr.write(`seccompile compile: warning: ${w}\n`);
    if (output === '-') io.stdout.write(text);
    else await writeOutput(output, text);
    return 0;
  }
  const { compile, CompileError } = await import('../../compiler/index.js');
  let result: CompileResult;
  try {
    result = compile(ir);
  } catch (e) {
    if (e instanceof CompileError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
  if (args['--verbose']) {
    for (const section of ir.sections) {
      const skipped = loaded.skipped.get(section.arch) ?? [];
      io.stderr.write(`${section.arch}: ${skipped.length ? `skipped (absent on ${section.arch}): ${skipped.join(', ')}` : 'no syscall skipped'}\n`);
    }
    for (const line of formatStats(result)) io.stderr.write(`${line}\n`);
  }
  const policy = basename(path, extname(path));
  const out = formatFilter(result, format as OutputFormat, { policy, arches: ir.sections.map((s) => s.arch) });
  if (output === '-') io.stdout.write(out);
  else await writeOutput(output, out);
  return 0;
};

async function writeOutput(output: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(output, data);
  } catch (e) {
    throw new UserError(`cannot write ${output}: ${(e as Error).message}`);
  }
}
