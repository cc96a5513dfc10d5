/**
 * Control-flow layout of a classic-BPF program for the WebAssembly emitter: which instructions
 * are jump targets (labels), and, on request, how the program is cut into consecutive chunks.
 *
 * Classic BPF only jumps forward (kernel/bpf/core.c bpf_check_classic rejects anything else),
 * so a target maps onto the end of a `block` that encloses every instruction before it: one
 * block per target, nested as deep as the program has targets (up to ~4,096). The JIT's own
 * assembler (./binary.ts) and V8 take that depth, so by default the whole program is one chunk,
 * one function with no calls on any path. Text parsers that recurse per block do not (wabt.js
 * 1.0.39 dies at about 165 levels, measured): for them, and for tests of the chunked shape, the
 * program can be cut into chunks of at most `maxLabels` targets each; each chunk becomes one
 * function (the first one is inlined into the batch loop), a jump within a chunk is a `br`, and
 * a jump into a later chunk is a tail call to that chunk's function with the index of the
 * target among the chunk's `entries`, which a `br_table` at the function's top dispatches on.
 * Nesting is then bounded by `maxLabels` plus a few, whatever the program's size or shape.
 * Chunking costs speed (a call and an indirect jump per crossing: the Podman-profile benchmark
 * ran up to 4x slower cut at 100 labels than in one piece), so only tests and wabt users ask for it.
 *
 * Invariant: the input is a program the validator accepted (opcodes known, every jump lands
 * inside the program, last instruction a return); this module only re-checks jump bounds.
 */
import { opcodeInfo, type Insn } from '../bpf/isa.js';

/**
 * Labels per chunk that keep the text within wabt.js's parser: the emitter's deepest nesting is
 * this plus 4 (plus up to 17 for a jump table's stubs), with margin under wabt's ~165 levels.
 */
export const WABT_MAX_LABELS = 100;

export interface Chunk {
  readonly index: number;
  /** First instruction of the chunk. */
  readonly start: number;
  /** One past the last instruction. */
  readonly end: number;
  /** Jump targets inside [start, end), ascending; each gets a block (chunk 0 never has pc 0). */
  readonly labels: readonly number[];
  /** Targets entered from earlier chunks (or by falling in), ascending: the dispatch table. */
  readonly entries: readonly number[];
}

export interface Layout {
  readonly chunks: readonly Chunk[];
  /** pc -> index of its chunk. */
  readonly chunkOf: Uint16Array;
  /** pc -> 1 when some instruction jumps (or falls) to it and it is not pc 0. */
  readonly isLabel: Uint8Array;
}

/** The successors of the instruction at `pc`: where control goes next (none for a return). */
export function successors(insns: readonly Insn[], pc: number): number[] {
  const ins = insns[pc]!;
  const info = opcodeInfo(ins.code);
  if (!info) throw new Error(`wasm: unknown opcode 0x${ins.code.toString(16)} at pc ${pc} (not a validated program)`);
  let next: number[];
  switch (info.jump) {
    case 'return':
      return [];
    case 'always':
      next = [pc + 1 + ins.k];
      break;
    case 'cond':
      next = [pc + 1 + ins.jt, pc + 1 + ins.jf];
      break;
    case 'none':
      next = [pc + 1];
      break;
  }
  for (const t of next) {
    if (t >= insns.length) throw new Error(`wasm: jump out of the program at pc ${pc} (not a validated program)`);
  }
  return next;
}

/**
 * Finds the labels and cuts the program into chunks of at most `maxLabels` labels each (default:
 * no limit, one chunk).
 * `extraEdges` are [from, to] jumps the emitter adds besides the program's own (jump tables).
 */
export function layout(insns: readonly Insn[], maxLabels = Infinity, extraEdges: ReadonlyArray<readonly [number, number]> = []): Layout {
  const n = insns.length;
  const isLabel = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    const succ = successors(insns, pc);
    const ins = insns[pc]!;
    // A fall-through to pc+1 needs no label unless something else jumps there; mark real jumps
    // only (including jumps of offset 0, which are fall-throughs too).
    const jumps = opcodeInfo(ins.code)!.jump;
    if (jumps === 'always' || jumps === 'cond') for (const t of succ) if (t !== pc + 1) isLabel[t] = 1;
  }
  for (const [from, to] of extraEdges) {
    if (to <= from || to >= n) throw new Error(`wasm: extra edge ${from} -> ${to} is not a forward jump inside the program`);
    isLabel[to] = 1;
  }
  const limit = Math.max(1, maxLabels);

  // Cut greedily: a new chunk starts at the label that would exceed the limit, so every chunk
  // after the first starts at a label (its start is entered through the dispatch).
  const starts: number[] = [0];
  let inChunk = 0;
  for (let pc = 1; pc < n; pc++) {
    if (!isLabel[pc]) continue;
    if (inChunk === limit) {
      starts.push(pc);
      inChunk = 0;
    }
    inChunk++;
  }
  const chunkOf = new Uint16Array(n);
  starts.forEach((s, i) => chunkOf.fill(i, s, starts[i + 1] ?? n));

  const entrySets = starts.map(() => new Set<number>());
  for (let pc = 0; pc < n; pc++) {
    for (const t of successors(insns, pc)) if (chunkOf[t] !== chunkOf[pc]) entrySets[chunkOf[t]!]!.add(t);
  }
  for (const [from, to] of extraEdges) if (chunkOf[to] !== chunkOf[from]) entrySets[chunkOf[to]!]!.add(to);
  const chunks = starts.map((start, index): Chunk => {
    const end = starts[index + 1] ?? n;
    const labels: number[] = [];
    for (let pc = start; pc < end; pc++) if (isLabel[pc]) labels.push(pc);
    const entries = [...entrySets[index]!].sort((a, b) => a - b);
    return { index, start, end, labels, entries };
  });
  return { chunks, chunkOf, isLabel };
}
