/**
 * Symbolic execution of a seccomp program over cells (./cells.ts).
 *
 * `analyzeShape` walks every instruction with the set of abstract register states that can reach
 * it (./machine.ts), collecting each comparison as a Predicate, or the reason the program is not
 * compare-only. `explore` then follows every feasible path from a starting region (per word, a
 * set of cells): at a comparison the current cells of the word split into those where it holds
 * and those where it does not (each cell answers as a whole, so its representative decides), and
 * empty sides are dropped. Each `ret` reached yields a leaf: the region of inputs that take this
 * path, and the returned value. The leaves partition the starting region exactly.
 */
import type { Program } from '../bpf/validate.js';
import type { Endian } from '../seccomp/abi.js';
import { predicateHolds, type Partition, type Predicate } from './cells.js';
import { Machine, regsKey, type Regs } from './machine.js';

export interface Shape {
  /** Every comparison on seccomp_data the program makes. */
  readonly predicates: readonly Predicate[];
  /** Why the program is not compare-only (empty when it is). */
  readonly unsupported: readonly string[];
  /** Every constant the program uses (jump operands, and-masks, loads of #k), for sampling. */
  readonly constants: readonly number[];
}

const machines = new WeakMap<Program, Map<Endian, Machine>>();

/** The (cached) Machine of a program in a byte order. */
export function machineFor(program: Program, endian: Endian): Machine {
  let byEndian = machines.get(program);
  if (!byEndian) machines.set(program, (byEndian = new Map()));
  let m = byEndian.get(endian);
  if (!m) byEndian.set(endian, (m = new Machine(program, endian)));
  return m;
}

/** Distinct register states tolerated at one instruction before giving up on exactness. */
const MAX_STATES_PER_PC = 256;

/** The comparisons `program` makes, or why it is not a compare-only program. */
export function analyzeShape(program: Program, endian: Endian): Shape {
  const machine = machineFor(program, endian);
  const states: Map<string, Regs>[] = program.map(() => new Map());
  const initial = machine.initialRegs();
  states[0]!.set(regsKey(initial), initial);
  const predicates = new Map<string, Predicate>();
  const unsupported: string[] = [];
  const constants = new Set<number>();
  const reach = (pc: number, regs: Regs): void => {
    const at = states[pc]!;
    if (at.size >= MAX_STATES_PER_PC) {
      if (at.size === MAX_STATES_PER_PC) unsupported.push(`pc ${pc}: more than ${MAX_STATES_PER_PC} register states`);
      return;
    }
    at.set(regsKey(regs), regs);
  };
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc]!;
    constants.add(ins.k >>> 0);
    for (const regs of states[pc]!.values()) {
      const s = machine.step(pc, regs);
      switch (s.kind) {
        case 'next':
          reach(pc + 1, s.regs);
          break;
        case 'jump':
          reach(pc + 1 + s.offset, regs);
          break;
        case 'test':
          predicates.set(`${s.pred.word} ${s.pred.mask} ${s.pred.op} ${s.pred.k}`, s.pred);
          reach(pc + 1 + ins.jt, regs);
          reach(pc + 1 + ins.jf, regs);
          break;
        case 'ret':
          break;
        case 'unsupported':
          if (!unsupported.includes(s.reason)) unsupported.push(s.reason);
          break;
      }
    }
    states[pc] = new Map(); // free as we go: jumps only go forward
  }
  return { predicates: [...predicates.values()], unsupported, constants: [...constants].sort((x, y) => x - y) };
}

/**
 * Per word, the cells of a region: a bitset over the word's cells, or undefined for all of them.
 * Sets are never mutated once built, so leaves share them freely.
 */
export type Region = readonly (Uint32Array | undefined)[];

export function fullRegion(wordCount: number): Region {
  return Array.from({ length: wordCount }, () => undefined);
}

/** Indices of the cells in `set` (all `count` cells when undefined), ascending. */
export function* cellIndices(set: Uint32Array | undefined, count: number): Generator<number> {
  if (!set) {
    for (let i = 0; i < count; i++) yield i;
    return;
  }
  for (let w = 0; w < set.length; w++) {
    let bits = set[w]!;
    while (bits) {
      const low = bits & -bits;
      yield w * 32 + (31 - Math.clz32(low));
      bits = (bits ^ low) >>> 0;
    }
  }
}

/** The first cell of a set (the one with the smallest representative on its interval). */
export function firstCell(set: Uint32Array | undefined): number {
  if (!set) return 0;
  for (const i of cellIndices(set, 0)) return i;
  throw new Error('internal: empty cell set');
}

const repsCache = new WeakMap<object, Float64Array>();

/** The representatives of a word's cells as a typed array (the hot loop of `split` reads them). */
function repsOf(cells: readonly { readonly rep: number }[]): Float64Array {
  let reps = repsCache.get(cells);
  if (!reps) repsCache.set(cells, (reps = Float64Array.from(cells, (c) => c.rep)));
  return reps;
}

type Side = Uint32Array | undefined | null;

/**
 * Splits `set` by `pred`: [holds, fails], null for an empty side. When every cell falls on one
 * side the set itself is returned (no allocation: the common case once nr is narrowed down).
 */
function split(partition: Partition, set: Uint32Array | undefined, pred: Predicate): [Side, Side] {
  const reps = repsOf(partition[pred.word]!.cells);
  const n = reps.length;
  const words = (n + 31) >>> 5;
  // pass 1: does the set have cells on both sides?
  let sawYes = false;
  let sawNo = false;
  for (let w = 0; w < words && !(sawYes && sawNo); w++) {
    let bits = set ? set[w]! : w === words - 1 && n % 32 ? (2 ** (n % 32) - 1) >>> 0 : 0xffffffff;
    while (bits) {
      const low = bits & -bits;
      if (predicateHolds(pred, reps[w * 32 + (31 - Math.clz32(low))]!)) sawYes = true;
      else sawNo = true;
      if (sawYes && sawNo) break;
      bits = (bits ^ low) >>> 0;
    }
  }
  if (!sawYes) return [null, set];
  if (!sawNo) return [set, null];
  const yes = new Uint32Array(words);
  const no = new Uint32Array(words);
  for (let w = 0; w < words; w++) {
    let bits = set ? set[w]! : w === words - 1 && n % 32 ? (2 ** (n % 32) - 1) >>> 0 : 0xffffffff;
    while (bits) {
      const low = bits & -bits;
      if (predicateHolds(pred, reps[w * 32 + (31 - Math.clz32(low))]!)) yes[w] = yes[w]! | low;
      else no[w] = no[w]! | low;
      bits = (bits ^ low) >>> 0;
    }
  }
  return [yes, no];
}

/** Too many paths: the caller falls back to sampling. */
export class TooManyPaths extends Error {
  override readonly name = 'TooManyPaths';
}

export interface ExploreOptions {
  /** Leaves after which exploration gives up (TooManyPaths). */
  readonly maxLeaves?: number;
  /**
   * Instructions stepped (over all paths) after which exploration gives up (TooManyPaths): paths
   * can multiply when rules test different arguments one after the other, and a path costs its
   * length, so this bounds the time (about a second per 10 million).
   */
  readonly maxSteps?: number;
}

/** Steps stepped by the last `explore` call (for statistics and benchmarks). */
export let lastExploreSteps = 0;

/**
 * Calls `onLeaf(region, ret)` for every feasible path of `program` from `start`. The regions
 * partition `start`. The program must be compare-only (analyzeShape found nothing unsupported)
 * and `partition` built from (at least) its predicates.
 */
export function explore(
  program: Program,
  endian: Endian,
  partition: Partition,
  start: Region,
  onLeaf: (region: Region, ret: number) => void,
  options: ExploreOptions = {},
): number {
  const maxLeaves = options.maxLeaves ?? 2_000_000;
  const maxSteps = options.maxSteps ?? 10_000_000;
  let leaves = 0;
  let steps = 0;
  const machine = machineFor(program, endian);
  const stack: { pc: number; regs: Regs; region: Region }[] = [{ pc: 0, regs: machine.initialRegs(), region: start }];
  while (stack.length) {
    let { pc, regs, region } = stack.pop()!;
    for (;;) {
      if (++steps > maxSteps) throw new TooManyPaths(`more than ${maxSteps.toLocaleString('en-US')} instructions explored (paths multiply: rules test different arguments in turn)`);
      const ins = program[pc]!;
      const s = machine.step(pc, regs);
      if (s.kind === 'next') {
        regs = s.regs;
        pc++;
      } else if (s.kind === 'jump') {
        pc += 1 + s.offset;
      } else if (s.kind === 'test') {
        const word = s.pred.word;
        const [holds, fails]: [Side, Side] = split(partition, region[word], s.pred);
        const [t, f] = s.negate ? [fails, holds] : [holds, fails];
        if (t !== null && f !== null) {
          const rf = [...region];
          rf[word] = f;
          stack.push({ pc: pc + 1 + ins.jf, regs, region: rf });
          const rt = [...region];
          rt[word] = t;
          region = rt;
          pc += 1 + ins.jt;
        } else if (t !== null) {
          pc += 1 + ins.jt;
        } else {
          pc += 1 + ins.jf;
        }
      } else if (s.kind === 'ret') {
        if (++leaves > maxLeaves) throw new TooManyPaths(`more than ${maxLeaves.toLocaleString('en-US')} paths (they multiply when rules test different arguments in turn)`);
        onLeaf(region, s.ret);
        break;
      } else {
        throw new Error(`internal: explore reached an unsupported instruction (${s.reason})`);
      }
    }
  }
  lastExploreSteps = steps;
  return leaves;
}
