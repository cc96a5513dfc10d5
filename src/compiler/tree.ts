/**
 * The decision tree: the compiler's middle representation between the rule IR and instructions.
 * A node either returns an action or tests one 32-bit word of struct seccomp_data (optionally
 * ANDed with a mask) with one of the kernel's conditional jumps (JEQ, JGT, JGE, JSET; all
 * unsigned, include/uapi/linux/bpf_common.h) and continues with `then` or `else`.
 *
 * Invariants: nodes are hash-consed by a TreeBuilder, so two structurally equal subtrees are the
 * same object (identity comparison is structural equality; ids are stable for one builder and
 * assigned in creation order, which is deterministic). `test` folds tests whose outcome is known
 * from the constants alone, so a tree never tests something that cannot vary.
 */
import { actionToRet, type Action } from '../seccomp/abi.js';
import type { InsnSource } from './provenance.js';

export type TestOp = 'jeq' | 'jgt' | 'jge' | 'jset';

/** The mask meaning "no AND": the word is compared as loaded. */
export const FULL_MASK = 0xffffffff;

export interface ReturnNode {
  readonly kind: 'return';
  readonly id: number;
  readonly action: Action;
}

export interface TestNode {
  readonly kind: 'test';
  readonly id: number;
  /** Byte offset of the u32 word in struct seccomp_data (0 nr, 4 arch, 16.. argument halves). */
  readonly offset: number;
  /** ANDed into the word before the comparison; FULL_MASK for none (only with `jeq`). */
  readonly mask: number;
  readonly op: TestOp;
  readonly k: number;
  readonly then: DecisionTree;
  readonly else: DecisionTree;
}

export type DecisionTree = ReturnNode | TestNode;

/**
 * Creates hash-consed, folded decision tree nodes. Lives only inside one compilation. Also keeps
 * the provenance side table: each node created or reused while building for some sources
 * (`within`) is tagged with them; a node shared by several builds collects the tags of each.
 */
export class TreeBuilder {
  private readonly nodes = new Map<string, DecisionTree>();
  private readonly tags = new Map<number, Set<InsnSource>>();
  private scope: readonly InsnSource[] = [];

  /** Number of distinct nodes created so far. */
  get size(): number {
    return this.nodes.size;
  }

  /** Builds with `build`, tagging the nodes it creates or reuses with `sources` (instead of the enclosing ones). */
  within<T>(sources: readonly InsnSource[], build: () => T): T {
    const outer = this.scope;
    this.scope = sources;
    try {
      return build();
    } finally {
      this.scope = outer;
    }
  }

  /** The sources `node` was built for (empty when built outside any `within`). */
  sourcesOf(node: DecisionTree): ReadonlySet<InsnSource> {
    return this.tags.get(node.id) ?? new Set();
  }

  private tagged(node: DecisionTree): DecisionTree {
    if (this.scope.length === 0) return node;
    let set = this.tags.get(node.id);
    if (!set) this.tags.set(node.id, (set = new Set()));
    for (const s of this.scope) set.add(s);
    return node;
  }

  leaf(action: Action): DecisionTree {
    const key = `r${actionToRet(action)}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = Object.freeze({ kind: 'return', id: this.nodes.size, action });
      this.nodes.set(key, node);
    }
    return this.tagged(node);
  }

  /**
   * `(word(offset) & mask) op k ? then : else`, folded when the outcome does not depend on the
   * word, and rewritten to JSET when that saves the AND.
   */
  test(offset: number, mask: number, op: TestOp, k: number, then: DecisionTree, otherwise: DecisionTree): DecisionTree {
    mask >>>= 0;
    k >>>= 0;
    if (then === otherwise) return then;
    if (mask !== FULL_MASK) {
      if (op !== 'jeq') throw new Error(`internal: masked ${op} is not a tree test`);
      if ((k & ~mask) !== 0) return otherwise; // the masked word can never equal k
      if (mask === 0) return k === 0 ? then : otherwise;
      // (w & m) == 0  <=>  !(w jset m);  (w & b) == b for a single bit b  <=>  w jset b
      if (k === 0) return this.test(offset, FULL_MASK, 'jset', mask, otherwise, then);
      if (k === mask && (mask & (mask - 1)) === 0) return this.test(offset, FULL_MASK, 'jset', mask, then, otherwise);
    }
    switch (op) {
      case 'jgt':
        if (k === FULL_MASK) return otherwise;
        break;
      case 'jge':
        if (k === 0) return then;
        if (k === 1) return this.test(offset, FULL_MASK, 'jeq', 0, otherwise, then); // w >= 1 <=> w != 0
        break;
      case 'jset':
        if (k === 0) return otherwise;
        break;
      case 'jeq':
        break;
    }
    const key = `t${offset},${mask},${op},${k},${then.id},${otherwise.id}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = Object.freeze({ kind: 'test', id: this.nodes.size, offset, mask, op, k, then, else: otherwise });
      this.nodes.set(key, node);
    }
    return this.tagged(node);
  }
}

/**
 * Whether a tree reads any word other than `offsets` (e.g. whether it loads an argument). Walks
 * each shared node once, with an explicit stack: a chain of rules makes a tree as deep as it is long.
 */
export function readsOutside(tree: DecisionTree, offsets: ReadonlySet<number>): boolean {
  const seen = new Set<number>();
  const stack = [tree];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.kind === 'return' || seen.has(t.id)) continue;
    seen.add(t.id);
    if (!offsets.has(t.offset)) return true;
    stack.push(t.else, t.then);
  }
  return false;
}
