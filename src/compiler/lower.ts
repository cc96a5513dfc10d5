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
import { FULL_MASK, type DecisionTree, type TestNode, type TestOp, type TreeBuilder } from './tree.js';

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

/**
 * Lowers `root` into `cg` and returns the entry node (A is unknown at entry); with the builder
 * `b` that built the tree, tags each node with the sources of its tree node. Iterative (an
 * explicit stack): a chain of rules is as deep as it is long, deeper than the call stack allows
 * long before the program is too long to load. Nodes are created in the order of the recursive
 * definition: the else subtree, then the then subtree, then the node.
 */
export function lower(cg: CodeGen, root: DecisionTree, b?: TreeBuilder): NodeId {
  const memo = new Map<string, NodeId>();
  interface Frame {
    readonly tree: TestNode;
    readonly acc: Acc;
    /** Lowered else and then branches, once known. */
    otherwise?: NodeId;
    then?: NodeId;
  }
  const stack: Frame[] = [];
  // Every node lowered for a tree node carries its sources (the provenance side table).
  // A leaf is tagged once: codegen gives every copy of `ret #k` the tags of all of them, and a
  // leaf many rules end in (allow) has many tags and many parents.
  const sources = (tree: DecisionTree) => b?.sourcesOf(tree) ?? [];
  const taggedLeaves = new Set<number>();
  /** The lowered node for `tree` reached with `acc`, or undefined after pushing it to be lowered. */
  const lowered = (tree: DecisionTree, acc: Acc): NodeId | undefined => {
    if (tree.kind === 'return') {
      const id = cg.ret(actionToRet(tree.action));
      if (!taggedLeaves.has(tree.id)) cg.tag(id, sources(tree));
      taggedLeaves.add(tree.id);
      return id;
    }
    const hit = memo.get(`${tree.id}@${acc}`);
    if (hit === undefined) stack.push({ tree, acc });
    return hit;
  };
  const entry = lowered(root, '');
  if (entry !== undefined) return entry;
  let last: NodeId = -1;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    const { tree, acc } = f;
    const after = accOf(tree.offset, tree.mask);
    // Else first, then then: the then-branch ends up right after the jump (jt = 0).
    if (f.otherwise === undefined) {
      if ((f.otherwise = lowered(tree.else, after)) === undefined) continue;
    }
    if (f.then === undefined) {
      if ((f.then = lowered(tree.then, after)) === undefined) continue;
    }
    stack.pop();
    let node = cg.jump(JUMP[tree.op], tree.k, f.then, f.otherwise);
    // An elided jump (both ways lowered alike) is its successor's, not this tree node's.
    if (node !== f.then) cg.tag(node, sources(tree));
    if (acc !== after) {
      if (tree.mask !== FULL_MASK) cg.tag((node = cg.stmt(AND_K, tree.mask, node)), sources(tree));
      if (acc !== accOf(tree.offset, FULL_MASK) || tree.mask === FULL_MASK) cg.tag((node = cg.stmt(LD_W_ABS, tree.offset, node)), sources(tree));
    }
    memo.set(`${tree.id}@${acc}`, node);
    last = node;
    // The parent's pending branch is this node.
    const parent = stack[stack.length - 1];
    if (parent) {
      if (parent.otherwise === undefined) parent.otherwise = node;
      else parent.then = node;
    }
  }
  return last;
}
