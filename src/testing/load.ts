/**
 * Loading something that decides syscalls, whatever form it comes in: a policy (a PolicySpec from
 * the DSL, an already normalized PolicyIR, or a .ts/.js policy file), or a compiled filter (a
 * .bpf file or its bytes). Policies are normalized for the chosen arches (default: the policy's
 * own, else the host's and its compat arches) and compiled; their IR is kept, so the caller can
 * compare the filter with the policy's own semantics. Used by the test API and by the `diff`,
 * `verify` and `test` commands. Files are read by src/source, which imports esbuild only when a
 * policy file needs it.
 */
import { analyzeShape } from '../analysis/explore.js';
import { ARCH_WORD, NR_WORD } from '../analysis/words.js';
import type { Program } from '../bpf/validate.js';
import type { PolicySpec } from '../ir/spec.js';
import type { PolicyIR } from '../ir/types.js';
import { X32_SYSCALL_BIT, type Endian } from '../seccomp/abi.js';
import { filterFromBytes } from '../source/filter.js';
import { loadSource, SourceError, type Source } from '../source/load.js';
import { compileSource, policyFromValue } from '../source/policy.js';
import { ARCH_NAMES, ARCHES, type ArchName } from '../syscalls/index.js';

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
  /** Target arch(es) for a policy, overriding its own `arch`; for an OCI profile the native arch (one: the profile names its own). Ignored for compiled filters. */
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
  const arch = options.arch === undefined ? undefined : typeof options.arch === 'string' ? [options.arch] : [...options.arch];
  try {
    return fromSource(compileSource(policyFromValue(policy, arch ? { arch } : {}, source, 'policy', sourceFile)));
  } catch (e) {
    throw loadError(e);
  }
}

/** The test API's view of a loaded source. */
function fromSource(s: Source): LoadedFilter {
  const ir = s.ir;
  const arches = ir ? ARCH_NAMES.filter((a) => ir.sections.some((x) => x.arch === a)) : dispatchedArches(s.program, s.endian);
  return {
    source: s.name,
    kind: ir ? 'policy' : 'filter',
    program: s.program,
    endian: s.endian,
    ...(ir ? { ir } : {}),
    arches,
    warnings: s.diagnostics.map((d) => d.text),
  };
}

/** A SourceError as a LoadError with the errors among its diagnostics; anything else as is. */
function loadError(e: unknown): unknown {
  return e instanceof SourceError ? new LoadError(e.message, e.errors.map((d) => d.text)) : e;
}

/** A compiled filter from its bytes. Throws LoadError. */
export function loadFilterBytes(bytes: Uint8Array, options: LoadOptions = {}, source = 'bytes'): LoadedFilter {
  try {
    return fromSource(filterFromBytes(bytes, source, options.endian));
  } catch (e) {
    throw loadError(e);
  }
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
 * Loads a policy or filter. A string is a file, by its extension (src/source/kinds.ts): a policy
 * file (.ts, .mts, .cts, .js, .mjs, .cjs), an OCI seccomp profile (.json, read as runc +
 * libseccomp read it: Docker's default caps, the running kernel; `arch`, when one, is the native
 * arch) or a compiled filter (.bpf, and any other extension). Throws LoadError.
 */
export async function load(input: Loadable, options: LoadOptions = {}): Promise<LoadedFilter> {
  if (input instanceof Uint8Array) return loadFilterBytes(input, options);
  if (typeof input !== 'string') {
    if (isLoaded(input)) return input;
    return loadPolicy(input, options);
  }
  const arch = options.arch === undefined ? undefined : typeof options.arch === 'string' ? [options.arch] : [...options.arch];
  try {
    const source = await loadSource(input, {
      otherwise: 'filter',
      ...(arch ? { arch } : {}),
      ...(options.endian ? { endian: options.endian } : {}),
      ...(options.loadTimeout !== undefined ? { loadTimeout: options.loadTimeout } : {}),
    });
    return fromSource(source);
  } catch (e) {
    throw loadError(e);
  }
}
