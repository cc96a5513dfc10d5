/**
 * Loading something that decides syscalls, whatever form it comes in: a policy (a PolicySpec from
 * the DSL, an already normalized PolicyIR, or a .ts/.js policy file), or a compiled filter (a
 * .bpf file or its bytes). Policies are normalized for the chosen arches (default: the policy's
 * own, else the host's and its compat arches) and compiled; their IR is kept, so the caller can
 * compare the filter with the policy's own semantics. Used by the test API and by the `diff`,
 * `verify` and `test` commands. esbuild (for policy files) is imported only when a file needs it.
 */
import { BPF_MAXINSNS } from '../bpf/isa.js';
import { readFileBounded } from '../loader/bounded-read.js';
import { extname } from 'node:path';
import { analyzeShape } from '../analysis/explore.js';
import { ARCH_WORD, NR_WORD } from '../analysis/words.js';
import { loadProgram } from '../bpf/load.js';
import type { Program } from '../bpf/validate.js';
import { compile } from '../compiler/index.js';
import type { PolicySpec } from '../ir/spec.js';
import { formatDiagnostic, hasErrors } from '../ir/diagnostics.js';
import { normalize } from '../ir/normalize.js';
import type { PolicyIR } from '../ir/types.js';
import { X32_SYSCALL_BIT, type Endian } from '../seccomp/abi.js';
import { ARCH_NAMES, ARCHES, isArchName, type ArchName } from '../syscalls/index.js';

/** A compiled filter, with the policy it came from when there was one. */
export interface LoadedFilter {
  /** Where it came from: a file path, 'policy' (an object) or 'bytes'. */
  readonly source: string;
  readonly kind: 'policy' | 'filter';
  readonly program: Program;
  readonly endian: Endian;
  /** The policy's IR (for policies only). */
  readonly ir?: PolicyIR;
  /** Target arches (policies), or the arches a filter dispatches on, in ARCH_NAMES order. */
  readonly arches: readonly ArchName[];
  /** Warnings from normalizing the policy (formatted diagnostics). */
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** Target arch(es) for a policy, overriding its own `arch`. Ignored for compiled filters. */
  readonly arch?: string | readonly string[];
  /** Byte order of a .bpf file or bytes (default: detected). */
  readonly endian?: Endian;
  /** Seconds a .ts/.js policy file's own code may run while it loads (default 10). */
  readonly loadTimeout?: number;
}

/** A policy that does not normalize or compile, or a filter that does not load. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(
    message: string,
    /** Formatted diagnostics (policy errors, with file:line:column where known). */
    readonly diagnostics: readonly string[] = [],
  ) {
    super(diagnostics.length ? `${message}\n${diagnostics.join('\n')}` : message);
  }
}

export type Loadable = PolicySpec | PolicyIR | LoadedFilter | Uint8Array | string;

const isIR = (x: object): x is PolicyIR => Array.isArray((x as PolicyIR).sections) && 'badArch' in x;
const isLoaded = (x: object): x is LoadedFilter => 'program' in x && 'endian' in x && 'arches' in x;

/** Normalizes and compiles a policy (spec or IR) synchronously. Throws LoadError. */
export function loadPolicy(policy: PolicySpec | PolicyIR, options: LoadOptions = {}, source = 'policy', sourceFile?: string): LoadedFilter {
  let ir: PolicyIR;
  let warnings: string[] = [];
  if (isIR(policy)) ir = policy;
  else {
    const arches = options.arch === undefined ? undefined : typeof options.arch === 'string' ? [options.arch] : [...options.arch];
    const n = normalize(policy, { ...(arches ? { arches } : {}), ...(sourceFile ? { sourceFile } : {}) });
    if (!n.ir || hasErrors(n.diagnostics)) {
      throw new LoadError(`${source}: the policy has errors`, n.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic));
    }
    ir = n.ir;
    warnings = n.diagnostics.map(formatDiagnostic);
  }
  let compiled;
  try {
    compiled = compile(ir);
  } catch (e) {
    throw new LoadError(`${source}: ${(e as Error).message}`);
  }
  const arches = ARCH_NAMES.filter((a) => ir.sections.some((s) => s.arch === a));
  return { source, kind: 'policy', program: compiled.program, endian: compiled.endian, ir, arches, warnings };
}

/** A compiled filter from its bytes. Throws LoadError. */
export function loadFilterBytes(bytes: Uint8Array, options: LoadOptions = {}, source = 'bytes'): LoadedFilter {
  let loaded;
  try {
    loaded = loadProgram(bytes, options.endian);
  } catch (e) {
    throw new LoadError(`${source}: ${(e as Error).message}`);
  }
  return { source, kind: 'filter', program: loaded.program, endian: loaded.order, arches: dispatchedArches(loaded.program, loaded.order), warnings: [] };
}

/**
 * The arches a filter tells apart: the known AUDIT_ARCH values it compares seccomp_data.arch
 * with; x32 too when it names x86_64 and compares nr with x32 numbers (above the x32 bit itself,
 * which filters for x86_64 alone compare with to turn x32 calls away).
 */
export function dispatchedArches(program: Program, endian: Endian): ArchName[] {
  const preds = analyzeShape(program, endian).predicates;
  const audits = new Set(preds.filter((p) => p.word === ARCH_WORD).map((p) => p.k >>> 0));
  const x32 = preds.some((p) => p.word === NR_WORD && p.k >>> 0 > X32_SYSCALL_BIT && p.k >>> 0 < 0xffffffff);
  return ARCH_NAMES.filter((a) => audits.has(ARCHES[a].auditArch) && (a !== 'x32' || x32));
}

/**
 * Loads a policy or filter. A string is a file: .bpf (a compiled filter), .ts/.mts/.js/.mjs (a
 * policy file), .json (an OCI seccomp profile). Throws LoadError.
 */
export async function load(input: Loadable, options: LoadOptions = {}): Promise<LoadedFilter> {
  if (input instanceof Uint8Array) return loadFilterBytes(input, options);
  if (typeof input !== 'string') {
    if (isLoaded(input)) return input;
    return loadPolicy(input, options);
  }
  const ext = extname(input).toLowerCase();
  if (ext === '.json') {
    // An OCI / Docker seccomp profile, read as runc + libseccomp read it (Docker's default caps,
    // the running kernel); options.arch, when one arch, is the native arch.
    const { loadOciFile, formatOciDiagnostic } = await import('../oci/index.js');
    const native = typeof options.arch === 'string' ? options.arch : options.arch?.length === 1 ? options.arch[0] : undefined;
    let res;
    try {
      res = await loadOciFile(input, native && isArchName(native) ? { arch: native } : {});
    } catch (e) {
      throw new LoadError(`cannot read ${input}: ${(e as Error).message}`);
    }
    if (!res.ir) throw new LoadError(`${input}: the profile has errors`, res.diagnostics.filter((d) => d.severity === 'error').map((d) => formatOciDiagnostic(d, input)));
    const loaded = loadPolicy(res.ir, {}, input);
    return { ...loaded, warnings: res.diagnostics.map((d) => formatOciDiagnostic(d, input)) };
  }
  if (['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs'].includes(ext)) {
    const { loadPolicyFile, PolicyLoadError } = await import('../loader/policy-file.js');
    try {
      const { spec, file } = await loadPolicyFile(input, options.loadTimeout !== undefined ? { timeout: options.loadTimeout } : {});
      return loadPolicy(spec, options, input, file);
    } catch (e) {
      if (e instanceof PolicyLoadError) throw new LoadError(`${input}: cannot load the policy`, e.diagnostics.map(formatDiagnostic));
      throw e;
    }
  }
  let bytes: Uint8Array;
  try {
    // One byte past the largest filter the kernel accepts is enough to refuse a larger file.
    bytes = await readFileBounded(input, BPF_MAXINSNS * 8 + 1);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoadError(`cannot read ${input}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (bytes.length > BPF_MAXINSNS * 8) throw new LoadError(`${input}: larger than ${BPF_MAXINSNS} instructions, the most the kernel accepts in a filter`);
  return loadFilterBytes(bytes, options, input);
}
