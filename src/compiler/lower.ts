/**
 * Decision tree -> instructions. Each test node becomes `ld [offset]`, `and #mask` (masked
 * tests only) and one conditional jump; the load and the AND are left out when the accumulator
 * already holds that (masked) word on the way in, which the lowering tracks per edge. A tree
 * node reached with different accumulator contents is lowered once per content (memoized), so
 * shared subtrees stay shared and nothing is lowered exponentially often.
 *
 * Only `LD|W|ABS`, `ALU|AND|K`, `JMP|J*|K` and `RET|K` are produced: all allowed by
 * kernel/seccomp.c seccomp_check_filter, no scratch memory, no X register.
 */
import { BPF_ALU_OP, BPF_CLASS, BPF_JMP_OP, BPF_MODE, BPF_SIZE, BPF_SRC } from '../bpf/isa.js';
import { actionToRet } from '../seccomp/abi.js';
import type { CodeGen, NodeId } from './codegen.js';
import { FULL_MASK, type DecisionTree, type TestOp } from './tree.js';

const LD_W_ABS = BPF_CLASS.LD | BPF_SIZE.W | BPF_MODE.ABS;
const AND_K = BPF_CLASS.ALU | BPF_ALU_OP.AND | BPF_SRC.K;
const JUMP: Readonly<Record<TestOp, number>> = {
  jeq: BPF_CLASS.JMP | BPF_JMP_OP.JEQ | BPF_SRC.K,
  jgt: BPF_CLASS.JMP | BPF_JMP_OP.JGT | BPF_SRC.K,
  jge: BPF_CLASS.JMP | BPF_JMP_OP.JGE | BPF_SRC.K,
  jset: BPF_CLASS.JMP | BPF_JMP_OP.JSET | BPF_SRC.K,
};

/** What the accumulator holds: `offset/mask`, or '' when unknown (program entry). */
type Acc = string;
const accOf = (offset: number, mask: number): Acc => `${offset}/${mask >>> 0}`;

/** Lowers `root` into `cg` and returns the entry node (A is unknown at entry). */
export function lower(cg: CodeGen, root: DecisionTree): NodeId {
  const memo = new Map<string, NodeId>();
  const visit = (tree: DecisionTree, acc: Acc): NodeId => {
    if (tree.kind === 'return') return cg.ret(actionToRet(tree.action));
    const key = `${tree.id}@${acc}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const after = accOf(tree.offset, tree.mask);
    // Else first, then then: the then-branch ends up right after the jump (jt = 0).
    const otherwise = visit(tree.else, after);
    const then = visit(tree.then, after);
    let node = cg.jump(JUMP[tree.op], tree.k, then, otherwise);
    if (acc !== after) {
      if (tree.mask !== FULL_MASK) node = cg.stmt(AND_K, tree.mask, node);
      if (acc !== accOf(tree.offset, FULL_MASK) || tree.mask === FULL_MASK) node = cg.stmt(LD_W_ABS, tree.offset, node);
    }
    memo.set(key, node);
    return node;
  };
  return visit(root, '');
}
