/**
 * Instruction assembly in the manner of Chromium's bpf_dsl CodeGen: the program is built
 * backwards, successors before the instruction that reaches them, as a DAG of immutable,
 * de-duplicated instructions. Every jump therefore goes forward and needs no label; a node id is
 * its creation index, and the final program is the creation order reversed, so a jump created
 * as node j to node t has offset j - t - 1 whatever comes later.
 *
 * Limits (include/uapi/linux/filter.h): jt/jf are u8, so a conditional jump reaches at most
 * 255 instructions ahead. A farther target gets a near copy when it is a RET (same size as a
 * trampoline, one instruction less to execute), otherwise a `JA` trampoline (32-bit offset)
 * placed right after the jump. A non-jump instruction falls through to the next one, so when
 * its successor is not the node created just before it, a `JA` is put in between.
 * Identical instructions with identical successors are shared (identical returns included,
 * while within reach).
 *
 * Provenance (./provenance.ts) rides along as a side table: the lowering tags the nodes it
 * creates with their sources; what codegen adds by itself (JAs, copies of a return) takes the
 * sources of what it stands for when the program is emitted.
 */
import { BPF_CLASS, BPF_JMP_OP, BPF_RVAL, insn, type Insn } from '../bpf/isa.js';
import { sortSources, type InsnProvenance, type InsnSource } from './provenance.js';

/** Index of an instruction in creation order. */
export type NodeId = number;

/** Farthest a conditional jump's u8 offset reaches. */
export const MAX_BRANCH = 255;

interface Node {
  readonly code: number;
  readonly k: number;
  /** Conditional jump targets; for JA, `jt` is the target; -1 when unused. */
  readonly jt: NodeId;
  readonly jf: NodeId;
}

const JA = BPF_CLASS.JMP | BPF_JMP_OP.JA;
const RET_K = BPF_CLASS.RET | BPF_RVAL.K;

export class CodeGen {
  private readonly nodes: Node[] = [];
  private readonly memo = new Map<string, NodeId>();
  /** Latest copy of each `ret #k` (the nearest to whatever is created next). */
  private readonly returns = new Map<number, NodeId>();
  private readonly tags = new Map<NodeId, Set<InsnSource>>();
  private trampolineCount = 0;
  private retCopies = 0;

  /** Instructions created so far. */
  get size(): number {
    return this.nodes.length;
  }
  get trampolines(): number {
    return this.trampolineCount;
  }
  /** RET instructions duplicated because the shared copy was out of reach. */
  get returnCopies(): number {
    return this.retCopies;
  }

  private append(node: Node): NodeId {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  /** Records that node `id` is (also) built for `sources`. */
  tag(id: NodeId, sources: Iterable<InsnSource>): void {
    let set = this.tags.get(id);
    if (!set) this.tags.set(id, (set = new Set()));
    for (const s of sources) set.add(s);
  }

  /** `ret #k`, shared with an earlier identical one. */
  ret(k: number): NodeId {
    k >>>= 0;
    const existing = this.returns.get(k);
    if (existing !== undefined) return existing;
    return this.newRet(k);
  }

  private newRet(k: number): NodeId {
    const id = this.append({ code: RET_K, k, jt: -1, jf: -1 });
    this.returns.set(k, id);
    return id;
  }

  /** A non-jump instruction (load, ALU) followed by `next`. */
  stmt(code: number, k: number, next: NodeId): NodeId {
    k >>>= 0;
    const key = `s${code},${k},${next}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    // A fall-through needs its successor right after it: a fresh JA when `next` is elsewhere.
    const follow = next === this.nodes.length - 1 ? next : this.append({ code: JA, k: 0, jt: next, jf: -1 });
    const id = this.append({ code, k, jt: follow, jf: -1 });
    this.memo.set(key, id);
    return id;
  }

  /** A conditional jump (`code` is BPF_JMP|op|BPF_K); a test with equal targets is elided. */
  jump(code: number, k: number, jt: NodeId, jf: NodeId): NodeId {
    k >>>= 0;
    if (jt === jf) return jt;
    const key = `j${code},${k},${jt},${jf}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    // jf first, leaving room for a jt trampoline that would then sit between jump and jf's one.
    let f = jf;
    if (this.distance(f) > MAX_BRANCH - 1) f = this.near(f);
    let t = jt;
    if (this.distance(t) > MAX_BRANCH) t = this.near(t);
    const id = this.append({ code, k, jt: t, jf: f });
    this.memo.set(key, id);
    return id;
  }

  /** Offset a jump created next would need to reach `target`. */
  private distance(target: NodeId): number {
    return this.nodes.length - target - 1;
  }

  /** A node reachable from the next instruction that behaves like `target`. */
  private near(target: NodeId): NodeId {
    const node = this.nodes[target]!;
    if (node.code === RET_K) {
      const latest = this.returns.get(node.k)!;
      if (this.distance(latest) <= MAX_BRANCH - 1) return latest;
      this.retCopies++;
      return this.newRet(node.k);
    }
    const key = `a${target}`;
    const hit = this.memo.get(key);
    if (hit !== undefined && this.distance(hit) <= MAX_BRANCH - 1) return hit;
    this.trampolineCount++;
    const id = this.append({ code: JA, k: 0, jt: target, jf: -1 });
    this.memo.set(key, id);
    return id;
  }

  /**
   * The program whose first instruction is `entry` (a JA to it is put first when it is not the
   * last node created). Nodes not reachable from `entry` are still emitted: callers create only
   * what they use.
   */
  emit(entry: NodeId): Insn[] {
    if (entry !== this.nodes.length - 1) this.append({ code: JA, k: 0, jt: entry, jf: -1 });
    const n = this.nodes.length;
    const out: Insn[] = [];
    for (let j = n - 1; j >= 0; j--) {
      const node = this.nodes[j]!;
      if (node.code === JA) out.push(insn(JA, j - node.jt - 1));
      else if ((node.code & 0x07) === BPF_CLASS.JMP) out.push(insn(node.code, node.k, j - node.jt - 1, j - node.jf - 1));
      else out.push(insn(node.code, node.k));
    }
    return out;
  }

  /**
   * The provenance of each instruction of the program `emit` returned (call it after `emit`):
   * a node's own tags; a JA's, those of the node it ends up at; a `ret #k`'s, those of every
   * `ret #k` (copies included: they stand for one decision-tree leaf).
   */
  sources(): InsnProvenance[] {
    const byRet = new Map<number, Set<InsnSource>>();
    this.nodes.forEach((node, id) => {
      if (node.code !== RET_K) return;
      const set = byRet.get(node.k) ?? new Set<InsnSource>();
      for (const s of this.tags.get(id) ?? []) set.add(s);
      byRet.set(node.k, set);
    });
    // One sorted array per `ret #k`, shared by its copies (it may name thousands of rules).
    const retSources = new Map([...byRet].map(([k, set]) => [k, sortSources(set)] as const));
    const of = (id: NodeId): InsnProvenance => {
      let at = id;
      while (this.nodes[at]!.code === JA) at = this.nodes[at]!.jt;
      const node = this.nodes[at]!;
      return node.code === RET_K ? retSources.get(node.k)! : sortSources(this.tags.get(at) ?? []);
    };
    const out: InsnProvenance[] = [];
    for (let j = this.nodes.length - 1; j >= 0; j--) out.push(of(j));
    return out;
  }
}
