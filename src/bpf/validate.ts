/**
 * The validator: decides exactly what the kernel accepts as a seccomp filter, and is the only
 * maker of a `Program`, so every later stage (interpreter, JIT, encoder users) may rely on it.
 *
 * Rules, in the kernel's order (seccomp_prepare_filter -> bpf_prog_create_from_user):
 *  - net/core/filter.c bpf_check_basics_ok: 1..BPF_MAXINSNS instructions;
 *  - net/core/filter.c bpf_check_classic: the opcode is classic BPF (chk_code_allowed, indexed by
 *    the whole u16 code), DIV/MOD by constant 0, LSH/RSH by a constant >= 32, M[k] with k >= 16,
 *    JA and conditional jump targets inside the program, the last instruction a RET, then
 *    check_load_and_stores (scratch memory never read before written; its exact dataflow below);
 *  - kernel/seccomp.c seccomp_check_filter: only the opcodes seccomp allows (no packet loads,
 *    no BPF_MOD, no LDX MSH), `LD|W|ABS` only 4-byte aligned inside struct seccomp_data.
 * Fields the kernel ignores (jt/jf of a non-jump, k of TAX) are ignored here too.
 *
 * `check` reports every problem (the kernel stops at the first); a program is accepted by the
 * kernel exactly when `check` returns no error. test/kernel/validate.test.ts holds us to that.
 */
import { BPF_MAXINSNS, BPF_MEMWORDS, BPF_CLASS, BPF_ALU_OP, BPF_MODE, BPF_RVAL, opcodeInfo, type Insn, type OperandKind } from './isa.js';

/**
 * sizeof(struct seccomp_data): the only data a seccomp filter reads. `LD|W|LEN` loads this value
 * (seccomp_check_filter rewrites it to `LD|IMM 64`).
 */
export const DATA_SIZE = 64;

/** Stable codes of the validator's rules. */
export const BPF_ERROR = {
  /** The program has no instruction (bpf_check_basics_ok). */
  EMPTY: 'empty',
  /** More than BPF_MAXINSNS (4096) instructions (bpf_check_basics_ok). */
  TOO_LONG: 'too_long',
  /** A field does not fit its C type (u16 code, u8 jt/jf, u32 k); the bytes cannot encode it. */
  MALFORMED: 'malformed_insn',
  /** The code is not a classic BPF opcode at all (chk_code_allowed). */
  UNKNOWN_OPCODE: 'unknown_opcode',
  /** A classic BPF opcode that seccomp_check_filter refuses (packet loads, MOD, MSH). */
  NOT_IN_SECCOMP: 'opcode_not_allowed',
  /** `LD|W|ABS k` with k >= 64: outside struct seccomp_data. */
  LOAD_OUT_OF_RANGE: 'load_out_of_range',
  /** `LD|W|ABS k` with k not a multiple of 4. */
  LOAD_MISALIGNED: 'load_misaligned',
  /** DIV (or MOD) by the constant 0. */
  DIVISION_BY_ZERO: 'division_by_zero',
  /** LSH/RSH by a constant >= 32. */
  SHIFT_TOO_LARGE: 'shift_too_large',
  /** M[k] with k >= BPF_MEMWORDS (16). */
  MEM_OUT_OF_RANGE: 'mem_out_of_range',
  /** A jump whose target is past the last instruction. */
  JUMP_OUT_OF_RANGE: 'jump_out_of_range',
  /** The last instruction is not `RET K` or `RET A`. */
  NO_FINAL_RETURN: 'no_final_return',
  /** M[k] may be read before it is written (check_load_and_stores). */
  MEM_READ_BEFORE_WRITE: 'mem_read_before_write',
} as const;
export type BpfErrorCode = (typeof BPF_ERROR)[keyof typeof BPF_ERROR];

/** One broken rule: which (`code`) and where (`pc`, the instruction index). */
export class BpfError extends Error {
  override readonly name = 'BpfError';
  constructor(
    readonly code: BpfErrorCode,
    readonly pc: number,
    message: string,
  ) {
    super(`instruction ${pc}: ${message}`);
  }
}

declare const programBrand: unique symbol;
/**
 * A program the kernel accepts as a seccomp filter. Only `validate` creates one: the array and
 * its instructions are frozen copies, so holding a `Program` proves it passed the rules.
 */
export type Program = readonly Insn[] & { readonly [programBrand]: true };

const { LD, LDX, ST, STX, ALU, JMP, RET } = BPF_CLASS;
const LD_W_ABS = LD | BPF_MODE.ABS;
const LD_MEM = LD | BPF_MODE.MEM;
const LDX_MEM = LDX | BPF_MODE.MEM;
const JA = JMP; // BPF_JMP | BPF_JA
const RET_K = RET | BPF_RVAL.K;
const RET_A = RET | BPF_RVAL.A;

const isU = (v: number, bits: number): boolean => Number.isInteger(v) && v >= 0 && v < 2 ** bits;

/** Every rule `program` breaks, in instruction order; empty when the kernel accepts it. */
export function check(program: readonly Insn[]): BpfError[] {
  const errors: BpfError[] = [];
  const n = program.length;
  if (n === 0) return [new BpfError(BPF_ERROR.EMPTY, 0, 'empty program: a filter needs at least one instruction')];
  if (n > BPF_MAXINSNS) {
    errors.push(new BpfError(BPF_ERROR.TOO_LONG, BPF_MAXINSNS, `${n} instructions, the kernel allows at most ${BPF_MAXINSNS}`));
  }
  for (let pc = 0; pc < n; pc++) checkInsn(program[pc]!, pc, n, errors);
  const last = program[n - 1]!;
  if (last.code !== RET_K && last.code !== RET_A) {
    errors.push(new BpfError(BPF_ERROR.NO_FINAL_RETURN, n - 1, 'the last instruction must be a return (ret #k or ret a)'));
  }
  checkLoadAndStores(program, errors);
  return errors.sort((a, b) => a.pc - b.pc);
}

function checkInsn(ins: Insn, pc: number, n: number, errors: BpfError[]): void {
  const { code, jt, jf, k } = ins;
  if (!isU(code, 16) || !isU(jt, 8) || !isU(jf, 8) || !isU(k, 32)) {
    errors.push(new BpfError(BPF_ERROR.MALFORMED, pc, `fields out of range (code ${code}, jt ${jt}, jf ${jf}, k ${k})`));
    return;
  }
  const info = opcodeInfo(code);
  if (!info) {
    errors.push(new BpfError(BPF_ERROR.UNKNOWN_OPCODE, pc, `0x${code.toString(16).padStart(2, '0')} is not a classic BPF opcode`));
    return;
  }
  // bpf_check_classic's rules hold for any classic opcode (they run before seccomp's).
  if ((code === (ALU | BPF_ALU_OP.DIV) || code === (ALU | BPF_ALU_OP.MOD)) && k === 0) {
    errors.push(new BpfError(BPF_ERROR.DIVISION_BY_ZERO, pc, `${info.mnemonic} by the constant 0`));
  }
  if ((code === (ALU | BPF_ALU_OP.LSH) || code === (ALU | BPF_ALU_OP.RSH)) && k >= 32) {
    errors.push(new BpfError(BPF_ERROR.SHIFT_TOO_LARGE, pc, `${info.mnemonic} by the constant ${k} (must be < 32)`));
  }
  if ((code === LD_MEM || code === LDX_MEM || code === ST || code === STX) && k >= BPF_MEMWORDS) {
    errors.push(new BpfError(BPF_ERROR.MEM_OUT_OF_RANGE, pc, `scratch cell M[${k}] does not exist (M[0]..M[${BPF_MEMWORDS - 1}])`));
  }
  if (code === JA && k >= n - pc - 1) {
    errors.push(new BpfError(BPF_ERROR.JUMP_OUT_OF_RANGE, pc, `ja +${k} goes to ${pc + 1 + k}, past the last instruction ${n - 1}`));
  }
  if (info.jump === 'cond' && (pc + jt + 1 >= n || pc + jf + 1 >= n)) {
    const target = pc + 1 + Math.max(jt, jf);
    errors.push(new BpfError(BPF_ERROR.JUMP_OUT_OF_RANGE, pc, `${info.mnemonic} goes to ${target}, past the last instruction ${n - 1}`));
  }
  if (!info.seccomp) {
    errors.push(new BpfError(BPF_ERROR.NOT_IN_SECCOMP, pc, `${describe(code, info.mnemonic, info.operand)} is classic BPF but not allowed in seccomp filters`));
    return;
  }
  if (code === LD_W_ABS) {
    if (k >= DATA_SIZE) {
      errors.push(new BpfError(BPF_ERROR.LOAD_OUT_OF_RANGE, pc, `ld [${k}] is outside struct seccomp_data (${DATA_SIZE} bytes)`));
    } else if (k % 4 !== 0) {
      errors.push(new BpfError(BPF_ERROR.LOAD_MISALIGNED, pc, `ld [${k}] is not 4-byte aligned`));
    }
  }
}

const OPERAND_FORM: Readonly<Record<OperandKind, string>> = {
  none: '',
  k: ' #k',
  x: ' x',
  a: ' a',
  abs: ' [k]',
  ind: ' [x + k]',
  mem: ' M[k]',
  len: ' #len',
  msh: ' 4*([k]&0xf)',
};

function describe(code: number, mnemonic: string, operand: OperandKind): string {
  return `${mnemonic}${OPERAND_FORM[operand]} (0x${code.toString(16).padStart(2, '0')})`;
}

/**
 * check_load_and_stores, with its exact (conservative) dataflow: one pass in program order with
 * a bit set of written cells; a jump ANDs the set into each target's mask and makes the set
 * "everything" for the next instruction (only reachable through jumps, whose masks then decide);
 * a RET leaves the set as it is. The kernel starts with no cell written.
 * Out-of-range targets and cells are skipped here (reported above).
 */
function checkLoadAndStores(program: readonly Insn[], errors: BpfError[]): void {
  const n = program.length;
  const masks = new Uint16Array(n).fill(0xffff);
  let memvalid = 0;
  for (let pc = 0; pc < n; pc++) {
    memvalid &= masks[pc]!;
    const { code, jt, jf, k } = program[pc]!;
    if (code === ST || code === STX) {
      if (k < BPF_MEMWORDS) memvalid |= 1 << k;
    } else if (code === LD_MEM || code === LDX_MEM) {
      if (k < BPF_MEMWORDS && !(memvalid & (1 << k))) {
        errors.push(
          new BpfError(BPF_ERROR.MEM_READ_BEFORE_WRITE, pc, `M[${k}] may be read before it is written (on some path into ${pc})`),
        );
      }
    } else if (code === JA) {
      const t = pc + 1 + k;
      if (t < n) masks[t]! &= memvalid;
      memvalid = 0xffff;
    } else if ((code & 0x07) === JMP && opcodeInfo(code)?.jump === 'cond') {
      if (pc + 1 + jt < n) masks[pc + 1 + jt]! &= memvalid;
      if (pc + 1 + jf < n) masks[pc + 1 + jf]! &= memvalid;
      memvalid = 0xffff;
    }
  }
}

/**
 * Checks `program` and returns it as a `Program` (a frozen copy), or throws the first broken
 * rule as a BpfError (use `check` for all of them).
 */
export function validate(program: readonly Insn[]): Program {
  const errors = check(program);
  if (errors.length > 0) throw errors[0]!;
  const copy = program.map(({ code, jt, jf, k }) => Object.freeze({ code, jt, jf, k }));
  return Object.freeze(copy) as readonly Insn[] as Program;
}

/** Whether `program` is accepted (no error from `check`). */
export function isValid(program: readonly Insn[]): boolean {
  return check(program).length === 0;
}
