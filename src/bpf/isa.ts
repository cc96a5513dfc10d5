/**
 * Classic BPF instruction set: the opcode fields, one instruction type, and one opcode table
 * that the validator, disassembler, assembler, interpreter and WebAssembly JIT all read, so they
 * cannot drift apart. Follows include/uapi/linux/filter.h and include/uapi/linux/bpf_common.h.
 *
 * Opcode layout (16-bit `code`, only the low 8 bits are used by classic BPF):
 *
 *   LD/LDX/ST/STX:   mode(3) | size(2) | class(3)     e.g. BPF_LD|BPF_W|BPF_ABS = 0x20
 *   ALU/JMP:          op(4) | src(1)  | class(3)      e.g. BPF_JMP|BPF_JEQ|BPF_K = 0x15
 *   RET:          (unused) | rval(2) | class(3)       e.g. BPF_RET|BPF_K = 0x06
 *   MISC:            miscop(5)        | class(3)      e.g. BPF_MISC|BPF_TAX = 0x07
 *
 * This module is generic classic BPF: it imports nothing else from src/.
 */

/** One `struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k. */
export interface Insn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export const BPF_CLASS = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
} as const;
export type BpfClass = (typeof BPF_CLASS)[keyof typeof BPF_CLASS];

export const BPF_SIZE = { W: 0x00, H: 0x08, B: 0x10 } as const;
export type BpfSize = (typeof BPF_SIZE)[keyof typeof BPF_SIZE];

export const BPF_MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0 } as const;
export type BpfMode = (typeof BPF_MODE)[keyof typeof BPF_MODE];

export const BPF_ALU_OP = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
} as const;
export type BpfAluOp = (typeof BPF_ALU_OP)[keyof typeof BPF_ALU_OP];

export const BPF_JMP_OP = { JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40 } as const;
export type BpfJmpOp = (typeof BPF_JMP_OP)[keyof typeof BPF_JMP_OP];

/** Operand source of ALU and JMP instructions. */
export const BPF_SRC = { K: 0x00, X: 0x08 } as const;
/** Return value source of RET. */
export const BPF_RVAL = { K: 0x00, X: 0x08, A: 0x10 } as const;
export const BPF_MISCOP = { TAX: 0x00, TXA: 0x80 } as const;

/** Field extractors, as the BPF_CLASS()/BPF_SIZE()/... macros. */
export const classOf = (code: number): BpfClass => (code & 0x07) as BpfClass;
export const sizeOf = (code: number): number => code & 0x18;
export const modeOf = (code: number): number => code & 0xe0;
export const opOf = (code: number): number => code & 0xf0;
export const srcOf = (code: number): number => code & 0x08;
export const rvalOf = (code: number): number => code & 0x18;
export const miscOpOf = (code: number): number => code & 0xf8;

/** BPF_MAXINSNS: the kernel's limit on a classic program's length. */
export const BPF_MAXINSNS = 4096;
/** BPF_MEMWORDS: number of scratch memory cells M[0..15]. */
export const BPF_MEMWORDS = 16;
/** Size of one encoded `struct sock_filter`. */
export const SOCK_FILTER_SIZE = 8;

/** How an instruction's operand is written and read. */
export type OperandKind =
  | 'none' // neg, tax, txa
  | 'k' // immediate constant: ld #k, add #k, ret #k
  | 'x' // the X register: add x
  | 'a' // the A register: ret a
  | 'abs' // packet/seccomp_data offset: ld [k]
  | 'ind' // X-relative offset: ld [x + k]
  | 'mem' // scratch cell: ld M[k], st M[k]
  | 'len' // packet length: ld #len
  | 'msh'; // ldxb 4*([k]&0xf)

/** How an instruction transfers control. */
export type JumpKind = 'none' | 'always' | 'cond' | 'return';

export interface OpcodeInfo {
  readonly code: number;
  /** Mnemonic as written by the disassembler and read by the assembler (bpf_asm style). */
  readonly mnemonic: string;
  readonly operand: OperandKind;
  readonly jump: JumpKind;
  /** Whether kernel/seccomp.c seccomp_check_filter accepts the opcode. */
  readonly seccomp: boolean;
}

const { LD, LDX, ST, STX, ALU, JMP, RET, MISC } = BPF_CLASS;
const { W, H, B } = BPF_SIZE;
const { IMM, ABS, IND, MEM, LEN, MSH } = BPF_MODE;
const { K, X } = BPF_SRC;

function entry(code: number, mnemonic: string, operand: OperandKind, jump: JumpKind, seccomp: boolean): OpcodeInfo {
  return { code, mnemonic, operand, jump, seccomp };
}

const aluEntries: OpcodeInfo[] = [];
for (const [name, op] of Object.entries(BPF_ALU_OP)) {
  const mnemonic = name.toLowerCase();
  if (op === BPF_ALU_OP.NEG) {
    aluEntries.push(entry(ALU | op, mnemonic, 'none', 'none', true));
    continue;
  }
  // seccomp_check_filter has no BPF_MOD (classic BPF gained it later; seccomp never allowed it).
  const seccomp = op !== BPF_ALU_OP.MOD;
  aluEntries.push(entry(ALU | op | K, mnemonic, 'k', 'none', seccomp));
  aluEntries.push(entry(ALU | op | X, mnemonic, 'x', 'none', seccomp));
}

const jmpEntries: OpcodeInfo[] = [entry(JMP | BPF_JMP_OP.JA, 'ja', 'k', 'always', true)];
for (const [name, op] of Object.entries(BPF_JMP_OP)) {
  if (op === BPF_JMP_OP.JA) continue;
  jmpEntries.push(entry(JMP | op | K, name.toLowerCase(), 'k', 'cond', true));
  jmpEntries.push(entry(JMP | op | X, name.toLowerCase(), 'x', 'cond', true));
}

/**
 * Every opcode of classic BPF (the kernel's bpf_check_classic accepts exactly these), with
 * whether seccomp accepts it. Order is the display order of the validator's opcode listing.
 */
export const OPCODES: readonly OpcodeInfo[] = [
  entry(LD | W | ABS, 'ld', 'abs', 'none', true),
  entry(LD | H | ABS, 'ldh', 'abs', 'none', false),
  entry(LD | B | ABS, 'ldb', 'abs', 'none', false),
  entry(LD | W | IND, 'ld', 'ind', 'none', false),
  entry(LD | H | IND, 'ldh', 'ind', 'none', false),
  entry(LD | B | IND, 'ldb', 'ind', 'none', false),
  entry(LD | W | LEN, 'ld', 'len', 'none', true),
  entry(LD | IMM, 'ld', 'k', 'none', true),
  entry(LD | MEM, 'ld', 'mem', 'none', true),
  entry(LDX | W | IMM, 'ldx', 'k', 'none', true),
  entry(LDX | W | MEM, 'ldx', 'mem', 'none', true),
  entry(LDX | W | LEN, 'ldx', 'len', 'none', true),
  entry(LDX | B | MSH, 'ldxb', 'msh', 'none', false),
  entry(ST, 'st', 'mem', 'none', true),
  entry(STX, 'stx', 'mem', 'none', true),
  ...aluEntries,
  ...jmpEntries,
  entry(RET | BPF_RVAL.K, 'ret', 'k', 'return', true),
  entry(RET | BPF_RVAL.A, 'ret', 'a', 'return', true),
  entry(MISC | BPF_MISCOP.TAX, 'tax', 'none', 'none', true),
  entry(MISC | BPF_MISCOP.TXA, 'txa', 'none', 'none', true),
];

const byCode = new Map<number, OpcodeInfo>(OPCODES.map((o) => [o.code, o]));

/** The table entry for `code`, or undefined for a code classic BPF does not define. */
export function opcodeInfo(code: number): OpcodeInfo | undefined {
  return byCode.get(code);
}

/** Builds an instruction, normalizing fields to their C widths. */
export function insn(code: number, k = 0, jt = 0, jf = 0): Insn {
  return { code: code & 0xffff, jt: jt & 0xff, jf: jf & 0xff, k: k >>> 0 };
}

/** BPF_STMT(code, k) */
export const stmt = (code: number, k: number): Insn => insn(code, k);
/** BPF_JUMP(code, k, jt, jf) */
export const jump = (code: number, k: number, jt: number, jf: number): Insn => insn(code, k, jt, jf);
