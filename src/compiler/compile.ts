/**
 * `compile`: PolicyIR -> validated seccomp program, orchestrating the stages
 *   dispatch (arch dispatch + nr ranges + per-syscall rule trees)  -> DecisionTree
 *     (argument alternatives searched; laid out densely instead when that does not fit)
 *   lower + CodeGen (backward DAG, trampolines)                     -> Insn[]
 *   validate (the kernel's rules, src/bpf/validate.ts)              -> Program
 * and reporting build statistics. Pure and deterministic: the same IR gives the same
 * instructions, whatever the order of creation of its objects (everything is sorted by number).
 *
 * Errors (CompileError, with a stable code): sections of different byte orders in one filter
 * (a filter is loaded by one kernel, whose byte order every word of it has), and a program over
 * BPF_MAXINSNS (kernel: bpf_check_basics_ok), reported with its size.
 */
import { BPF_MAXINSNS, type Insn } from '../bpf/isa.js';
import { validate, type Program } from '../bpf/validate.js';
import { encode } from '../bpf/encode.js';
import type { Endian } from '../seccomp/abi.js';
import type { PolicyIR } from '../ir/types.js';
import { CodeGen } from './codegen.js';
import type { InsnProvenance } from './provenance.js';
import type { ArgumentLayout } from './alternatives.js';
import { dispatch, rangeCounts, searchDepths, type Dispatch } from './dispatch.js';
import { lower } from './lower.js';
import { TreeBuilder } from './tree.js';

export const COMPILE_ERROR = {
  /** The program has more instructions than the kernel accepts (4096). */
  TOO_LONG: 'too_long',
  /** Targets of different byte orders in one filter. */
  MIXED_ENDIAN: 'mixed_endian',
} as const;
export type CompileErrorCode = (typeof COMPILE_ERROR)[keyof typeof COMPILE_ERROR];

export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    readonly code: CompileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface CompileOptions {
  /** Largest accepted program (default BPF_MAXINSNS = 4096; only lower it, e.g. in tests). */
  readonly maxInstructions?: number;
}

export interface CompileStats {
  /** Instructions in the program. */
  readonly instructions: number;
  /** Nr ranges the binary search tells apart, per targeted arch name. */
  readonly ranges: Readonly<Record<string, number>>;
  /** Syscalls whose decision depends on arguments, per targeted arch name. */
  readonly argumentDependent: Readonly<Record<string, number>>;
  /** Most nr tests (search jumps) before a decision of each arch: about log2(ranges). */
  readonly searchDepth: Readonly<Record<string, number>>;
  /** JA trampolines added for conditional jumps longer than 255. */
  readonly trampolines: number;
  /** RET instructions duplicated because the shared one was out of a jump's reach. */
  readonly returnCopies: number;
}

export interface CompileResult {
  readonly program: Program;
  /**
   * Where each instruction came from, `provenance[pc]` for `program[pc]` (src/compiler/provenance.ts):
   * the indexes of the policy rules (`RuleOrigin.index`) whose argument tests or action it
   * carries, and the dispatch roles ('arch-check', 'nr-dispatch', 'arg-dispatch') or fallbacks ('default',
   * 'newer', 'bad-arch') it serves. A side table: the program's bytes do not depend on it. A
   * `ret` several rules end in lists them all; one with a single rule index was decided by that rule.
   */
  readonly provenance: readonly InsnProvenance[];
  /** Byte order of the filter (that of every targeted arch); `encodeFilter` uses it. */
  readonly endian: Endian;
  readonly stats: CompileStats;
}

/** Compiles a policy's IR to a validated seccomp filter. Throws CompileError. */
export function compile(ir: PolicyIR, options: CompileOptions = {}): CompileResult {
  const endian = filterEndian(ir);
  const limit = Math.min(options.maxInstructions ?? BPF_MAXINSNS, BPF_MAXINSNS);
  // Argument alternatives searched (short paths) when that fits, else in the densest layout.
  let built = build(ir, 'balanced');
  if (built.insns.length > limit) built = build(ir, 'dense');
  const { d, cg, insns } = built;
  if (insns.length > limit) {
    throw new CompileError(
      COMPILE_ERROR.TOO_LONG,
      `the compiled filter has ${insns.length} instructions, more than the ${limit} the kernel accepts ` +
        `(BPF_MAXINSNS); split the policy or merge rules`,
    );
  }
  const ranges = rangeCounts(d);
  const argumentDependent: Record<string, number> = {};
  const searchDepth = searchDepths(d);
  for (const g of d.groups) {
    for (const s of g.spans) {
      const inSpan = g.ranges.filter((r) => r.start < s.end && r.end > s.start);
      argumentDependent[s.section.arch] = inSpan.filter((r) => r.tree.kind === 'test').reduce((n, r) => n + (r.end - r.start), 0);
    }
  }
  return {
    program: validate(insns),
    provenance: cg.sources(),
    endian,
    stats: {
      instructions: insns.length,
      ranges,
      argumentDependent,
      searchDepth,
      trampolines: cg.trampolines,
      returnCopies: cg.returnCopies,
    },
  };
}

function build(ir: PolicyIR, layout: ArgumentLayout): { d: Dispatch; cg: CodeGen; insns: Insn[] } {
  const b = new TreeBuilder();
  const d = dispatch(b, ir, layout);
  const cg = new CodeGen();
  return { d, cg, insns: cg.emit(lower(cg, d.root, b)) };
}

/** The filter's raw bytes (`struct sock_filter[]` in the target's byte order). */
export function encodeFilter(result: Pick<CompileResult, 'program' | 'endian'>): Uint8Array {
  return encode(result.program, result.endian);
}

function filterEndian(ir: PolicyIR): Endian {
  const orders = new Set(ir.sections.map((s) => s.endian));
  if (orders.size > 1) {
    const list = ir.sections.map((s) => `${s.arch} (${s.endian}-endian)`).join(', ');
    throw new CompileError(
      COMPILE_ERROR.MIXED_ENDIAN,
      `one filter cannot target arches of different byte orders: ${list}; compile one filter per byte order`,
    );
  }
  return ir.sections[0]?.endian ?? 'little';
}
