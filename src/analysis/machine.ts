/**
 * One step of a seccomp program over abstract registers: each of A, X and the scratch cells
 * M[0..15] holds a known constant or "a seccomp_data word, and-ed with a mask". That is all the
 * state a compare-only filter (our compiler's, libseccomp's, Docker profiles') ever has. Anything
 * else (arithmetic on loaded data, comparing two loaded words, returning a loaded word) is
 * reported as unsupported, with the reason, and the caller falls back to sampling.
 *
 * Constant arithmetic follows the kernel (and src/bpf/interpreter.ts): u32 wrap-around, shifts by
 * X modulo 32, division by an X of 0 ends the program returning 0 (bpf_convert_filter).
 */
import { BPF_ALU_OP, BPF_CLASS, BPF_JMP_OP, BPF_MODE, BPF_RVAL, BPF_SRC, classOf, modeOf, opOf, rvalOf, srcOf, type Insn } from '../bpf/isa.js';
import { DATA_SIZE } from '../bpf/validate.js';
import type { Program } from '../bpf/validate.js';
import type { Endian } from '../seccomp/abi.js';
import type { JumpOp, Predicate } from './cells.js';
import { wordAtOffset, wordName } from './words.js';

export type Val = { readonly kind: 'const'; readonly v: number } | { readonly kind: 'word'; readonly word: number; readonly mask: number };

export interface Regs {
  readonly a: Val;
  readonly x: Val;
  readonly mem: readonly Val[];
}

export type Step =
  | { readonly kind: 'next'; readonly regs: Regs }
  /** A conditional jump on a word (registers unchanged): to pc + 1 + jt when `pred` holds (or fails, when `negate`), else pc + 1 + jf. */
  | { readonly kind: 'test'; readonly pred: Predicate; readonly negate: boolean }
  /** A jump known statically (ja, or comparing constants), registers unchanged: to pc + 1 + offset. */
  | { readonly kind: 'jump'; readonly offset: number }
  | { readonly kind: 'ret'; readonly ret: number }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** A stable key for a register state (to deduplicate states per instruction). */
export function regsKey(r: Regs): string {
  const v = (x: Val): string => (x.kind === 'const' ? `c${x.v}` : `w${x.word}&${x.mask}`);
  return `${v(r.a)} ${v(r.x)} ${r.mem.map(v).join(',')}`;
}

const JUMP_OPS: Readonly<Record<number, JumpOp>> = {
  [BPF_JMP_OP.JEQ]: 'jeq',
  [BPF_JMP_OP.JGT]: 'jgt',
  [BPF_JMP_OP.JGE]: 'jge',
  [BPF_JMP_OP.JSET]: 'jset',
};

/** Evaluates `a op b` on constants. */
function compare(op: JumpOp, a: number, b: number): boolean {
  switch (op) {
    case 'jeq':
      return a === b;
    case 'jgt':
      return a > b;
    case 'jge':
      return a >= b;
    case 'jset':
      return (a & b) !== 0;
  }
}

function alu(op: number, a: number, b: number): number | 'div0' {
  switch (op) {
    case BPF_ALU_OP.ADD: return (a + b) >>> 0;
    case BPF_ALU_OP.SUB: return (a - b) >>> 0;
    case BPF_ALU_OP.MUL: return Math.imul(a, b) >>> 0;
    case BPF_ALU_OP.DIV: return b === 0 ? 'div0' : (a / b) >>> 0;
    case BPF_ALU_OP.OR: return (a | b) >>> 0;
    case BPF_ALU_OP.AND: return (a & b) >>> 0;
    case BPF_ALU_OP.XOR: return (a ^ b) >>> 0;
    case BPF_ALU_OP.LSH: return (a << b) >>> 0;
    case BPF_ALU_OP.RSH: return a >>> b;
    case BPF_ALU_OP.NEG: return -a >>> 0;
    default: throw new Error(`internal: ALU op 0x${op.toString(16)}`);
  }
}

const describe = (v: Val): string => (v.kind === 'const' ? `${v.v}` : v.mask === 0xffffffff ? wordName(v.word) : `${wordName(v.word)} & 0x${v.mask.toString(16)}`);

/**
 * A program prepared for abstract execution: values are interned (the same constant or masked
 * word is always the same object), so the outcome of a jump is cached per (pc, A, X) and paths
 * through long compare chains allocate nothing.
 */
export class Machine {
  private readonly consts = new Map<number, Val>();
  private readonly words = new Map<number, Val>();
  private readonly jumps: Map<Val, Map<Val, Step>>[];

  constructor(
    readonly program: Program,
    readonly endian: Endian,
  ) {
    this.jumps = program.map(() => new Map());
  }

  konst(v: number): Val {
    const u = v >>> 0;
    let val = this.consts.get(u);
    if (!val) this.consts.set(u, (val = { kind: 'const', v: u }));
    return val;
  }

  word(word: number, mask: number): Val {
    const key = word * 2 ** 32 + (mask >>> 0);
    let val = this.words.get(key);
    if (!val) this.words.set(key, (val = { kind: 'word', word, mask: mask >>> 0 }));
    return val;
  }

  initialRegs(): Regs {
    const zero = this.konst(0);
    return { a: zero, x: zero, mem: Array.from({ length: 16 }, () => zero) };
  }

  /** One instruction at `pc` over abstract registers. */
  step(pc: number, regs: Regs): Step {
    const ins = this.program[pc]!;
    if (classOf(ins.code) === BPF_CLASS.JMP) {
      const byA = this.jumps[pc]!;
      let byX = byA.get(regs.a);
      if (!byX) byA.set(regs.a, (byX = new Map()));
      const xKey = srcOf(ins.code) === BPF_SRC.X ? regs.x : regs.a;
      let s = byX.get(xKey);
      if (!s) byX.set(xKey, (s = this.jump(ins, pc, regs)));
      return s;
    }
    return this.other(ins, pc, regs);
  }

  private jump(ins: Insn, pc: number, regs: Regs): Step {
    const op = opOf(ins.code);
    if (op === BPF_JMP_OP.JA) return { kind: 'jump', offset: ins.k >>> 0 };
    const jop = JUMP_OPS[op]!;
    const a = regs.a;
    const b = srcOf(ins.code) === BPF_SRC.X ? regs.x : this.konst(ins.k);
    if (a.kind === 'const' && b.kind === 'const') return { kind: 'jump', offset: compare(jop, a.v, b.v) ? ins.jt : ins.jf };
    if (a.kind === 'word' && b.kind === 'const') return { kind: 'test', pred: { word: a.word, mask: a.mask, op: jop, k: b.v }, negate: false };
    if (a.kind === 'const' && b.kind === 'word') {
      // constant on the left: c == w, c > w <=> !(w >= c), c >= w <=> !(w > c), c & w
      const w = { word: b.word, mask: b.mask };
      switch (jop) {
        case 'jeq': return { kind: 'test', pred: { ...w, op: 'jeq', k: a.v }, negate: false };
        case 'jgt': return { kind: 'test', pred: { ...w, op: 'jge', k: a.v }, negate: true };
        case 'jge': return { kind: 'test', pred: { ...w, op: 'jgt', k: a.v }, negate: true };
        case 'jset': return { kind: 'test', pred: { ...w, op: 'jset', k: a.v }, negate: false };
      }
    }
    return { kind: 'unsupported', reason: `pc ${pc}: compares two loaded words (${describe(a)}, ${describe(b)})` };
  }

  private other(ins: Insn, pc: number, regs: Regs): Step {
    const k = ins.k >>> 0;
    const { a, x } = regs;
    switch (classOf(ins.code)) {
      case BPF_CLASS.LD:
      case BPF_CLASS.LDX: {
        let v: Val;
        switch (modeOf(ins.code)) {
          case BPF_MODE.ABS: v = this.word(wordAtOffset(k, this.endian), 0xffffffff); break;
          case BPF_MODE.IMM: v = this.konst(k); break;
          case BPF_MODE.MEM: v = regs.mem[k]!; break;
          case BPF_MODE.LEN: v = this.konst(DATA_SIZE); break;
          default: return { kind: 'unsupported', reason: `pc ${pc}: load mode 0x${modeOf(ins.code).toString(16)}` };
        }
        return { kind: 'next', regs: classOf(ins.code) === BPF_CLASS.LD ? { ...regs, a: v } : { ...regs, x: v } };
      }
      case BPF_CLASS.ST:
      case BPF_CLASS.STX: {
        const mem = [...regs.mem];
        mem[k] = classOf(ins.code) === BPF_CLASS.ST ? a : x;
        return { kind: 'next', regs: { ...regs, mem } };
      }
      case BPF_CLASS.ALU: {
        const op = opOf(ins.code);
        const b = op === BPF_ALU_OP.NEG ? this.konst(0) : srcOf(ins.code) === BPF_SRC.X ? x : this.konst(k);
        if (a.kind === 'const' && b.kind === 'const') {
          const r = alu(op, a.v, b.v);
          return r === 'div0' ? { kind: 'ret', ret: 0 } : { kind: 'next', regs: { ...regs, a: this.konst(r) } };
        }
        if (op === BPF_ALU_OP.AND && b.kind === 'const' && a.kind === 'word') return { kind: 'next', regs: { ...regs, a: this.word(a.word, a.mask & b.v) } };
        if (op === BPF_ALU_OP.AND && a.kind === 'const' && b.kind === 'word') return { kind: 'next', regs: { ...regs, a: this.word(b.word, b.mask & a.v) } };
        return { kind: 'unsupported', reason: `pc ${pc}: arithmetic on loaded data (A = ${describe(a)}, operand ${describe(b)})` };
      }
      case BPF_CLASS.RET: {
        const rv = rvalOf(ins.code);
        const v = rv === BPF_RVAL.K ? this.konst(k) : rv === BPF_RVAL.A ? a : x;
        if (v.kind === 'const') return { kind: 'ret', ret: v.v };
        return { kind: 'unsupported', reason: `pc ${pc}: returns a value read from seccomp_data (${describe(v)})` };
      }
      case BPF_CLASS.MISC:
        return { kind: 'next', regs: ins.code === 0x07 ? { ...regs, x: a } : { ...regs, a: x } };
    }
    return { kind: 'unsupported', reason: `pc ${pc}: opcode 0x${ins.code.toString(16)}` };
  }
}
