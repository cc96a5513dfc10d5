/**
 * Jump tables for decision trees: a run of conditional jumps that compare A with constants (the
 * binary search over syscall numbers every seccomp compiler emits) is, for each value of A, a
 * fixed path to one exit. Translated jump by jump, it costs a branch per level, and on a random
 * mix of system calls most of those branches are mispredicted. So for small values of A the
 * emitter also puts a `br_table` in front of the tree, indexed by A and leading straight to the
 * exit the tree would reach: one indirect jump instead of ~8 conditional ones. Values past the
 * table run the tree itself. The step-counting variant must count each jump: the number of jumps
 * the tree runs for A = v is fixed too (`steps[v]`), so it adds that on the way to the exit.
 *
 * Sound because the jumps of a tree do not change A and classic BPF jumps only forward; the
 * exits are computed by evaluating the tree's own comparisons (kernel/bpf/core.c semantics,
 * unsigned), so the differential test covers them like any other code. An exit that is a return
 * may be replaced by an identical return elsewhere after the root (see sameReturns).
 */
import { BPF_JMP_OP, opOf, opcodeInfo, type Insn } from '../bpf/isa.js';

export interface SwitchTable {
  /** The tree's first jump: the table goes in front of it. */
  readonly root: number;
  /** exits[v] = the first instruction after the tree for A = v, for v < exits.length. */
  readonly exits: Uint16Array;
  /** steps[v] = the tree's instructions (jumps) executed on the way to exits[v]. */
  readonly steps: Uint16Array;
}

/** Trees with fewer jumps (`ja`s included) are not worth an indirect jump. */
const MIN_JUMPS = 4;
/** Largest table (values 0..MAX_TABLE-1): covers every syscall number of every arch. */
const MAX_TABLE = 4096;
/** Work bound (table entries times tree depth, summed) so a pathological program stays cheap. */
const MAX_WORK = 1 << 23;

/** A comparison of A with a constant, or a `ja` (compilers put them in trees as trampolines). */
const isTreeJump = (ins: Insn): boolean => {
  const info = opcodeInfo(ins.code);
  return (info?.jump === 'cond' && info.operand === 'k') || info?.jump === 'always';
};

const isJa = (ins: Insn): boolean => opcodeInfo(ins.code)?.jump === 'always';

/** Where the tree jump at `pc` goes when A = a. */
function next(insns: readonly Insn[], pc: number, a: number): number {
  const ins = insns[pc]!;
  if (isJa(ins)) return pc + 1 + ins.k;
  return pc + 1 + (holds(ins, a) ? ins.jt : ins.jf);
}

function holds(ins: Insn, a: number): boolean {
  const k = ins.k >>> 0;
  switch (opOf(ins.code)) {
    case BPF_JMP_OP.JEQ:
      return a === k;
    case BPF_JMP_OP.JGT:
      return a > k;
    case BPF_JMP_OP.JGE:
      return a >= k;
    default:
      return (a & k) !== 0; // JSET
  }
}

/**
 * For each return instruction, the pcs of the returns identical to it (same opcode and operand),
 * ascending. A tree whose leaves end in different copies of `ret #ALLOW` (libseccomp emits one per
 * subtree) can exit through any copy after it: same result, same one step. Sending them all to
 * one copy gives the table's indirect jump one target where it had several, so a random mix of
 * allowed calls no longer mispredicts it.
 */
function sameReturns(insns: readonly Insn[]): Map<number, number[]> {
  const byKey = new Map<string, number[]>();
  const out = new Map<number, number[]>();
  insns.forEach((ins, pc) => {
    if (opcodeInfo(ins.code)?.jump !== 'return') return;
    const key = `${ins.code}:${ins.k}`;
    let pcs = byKey.get(key);
    if (!pcs) byKey.set(key, (pcs = []));
    pcs.push(pc);
    out.set(pc, pcs);
  });
  return out;
}

/** The decision trees of `insns` worth a jump table, in program order. */
export function findSwitches(insns: readonly Insn[]): SwitchTable[] {
  const n = insns.length;
  const returns = sameReturns(insns);
  const covered = new Uint8Array(n);
  const tables: SwitchTable[] = [];
  let work = 0;
  for (let root = 0; root < n; root++) {
    if (covered[root] || !isTreeJump(insns[root]!) || isJa(insns[root]!)) continue;
    // The tree: every comparison jump reachable from the root through comparison jumps.
    const tree: number[] = [];
    const stack = [root];
    const seen = new Set<number>();
    while (stack.length) {
      const pc = stack.pop()!;
      if (seen.has(pc) || pc >= n || !isTreeJump(insns[pc]!)) continue;
      seen.add(pc);
      tree.push(pc);
      covered[pc] = 1;
      const ins = insns[pc]!;
      if (isJa(ins)) stack.push(pc + 1 + ins.k);
      else stack.push(pc + 1 + ins.jt, pc + 1 + ins.jf);
    }
    if (tree.length < MIN_JUMPS) continue;
    // Size the table to the constants compared that are small enough to index (syscall numbers).
    let top = -1;
    for (const pc of tree) if (!isJa(insns[pc]!) && insns[pc]!.k < MAX_TABLE) top = Math.max(top, insns[pc]!.k);
    const size = Math.min(MAX_TABLE, top + 2);
    if (size < 2 || work + size * tree.length > MAX_WORK) continue;
    work += size * tree.length;
    const exits = new Uint16Array(size);
    const steps = new Uint16Array(size);
    for (let a = 0; a < size; a++) {
      let pc = root;
      let n = 0;
      for (; seen.has(pc); n++) pc = next(insns, pc, a);
      exits[a] = returns.get(pc)?.find((r) => r > root) ?? pc;
      steps[a] = n;
    }
    tables.push({ root, exits, steps });
  }
  return tables;
}
