/**
 * What classic-BPF operations become in WebAssembly: the i32 comparison for each conditional jump
 * (and its negation), the i32 instruction for each ALU op, and the byte swap big-endian loads need.
 * Semantics as in kernel/bpf/core.c: unsigned comparisons and division, shifts by X count modulo
 * 32 (WebAssembly's shifts mask the count the same way), JSET tests A & operand != 0.
 */
import { BPF_ALU_OP, BPF_JMP_OP } from '../bpf/isa.js';
import type { Instr, PlainOp } from './instructions.js';

/** A jump's comparison of A with its operand, and its negation (to branch on the false side). */
export interface Condition {
  readonly holds: readonly PlainOp[];
  readonly negated: readonly PlainOp[];
}

export const CONDITIONS: Readonly<Record<number, Condition>> = {
  [BPF_JMP_OP.JEQ]: { holds: ['i32.eq'], negated: ['i32.ne'] },
  [BPF_JMP_OP.JGT]: { holds: ['i32.gt_u'], negated: ['i32.le_u'] },
  [BPF_JMP_OP.JGE]: { holds: ['i32.ge_u'], negated: ['i32.lt_u'] },
  [BPF_JMP_OP.JSET]: { holds: ['i32.and'], negated: ['i32.and', 'i32.eqz'] },
};

/** The i32 instruction for each binary ALU op (shifts mask the count by 31, as `& 31`). */
export const WASM_ALU: Readonly<Record<number, PlainOp>> = {
  [BPF_ALU_OP.ADD]: 'i32.add',
  [BPF_ALU_OP.SUB]: 'i32.sub',
  [BPF_ALU_OP.MUL]: 'i32.mul',
  [BPF_ALU_OP.DIV]: 'i32.div_u',
  [BPF_ALU_OP.MOD]: 'i32.rem_u',
  [BPF_ALU_OP.OR]: 'i32.or',
  [BPF_ALU_OP.AND]: 'i32.and',
  [BPF_ALU_OP.LSH]: 'i32.shl',
  [BPF_ALU_OP.RSH]: 'i32.shr_u',
  [BPF_ALU_OP.XOR]: 'i32.xor',
};

/**
 * bswap32 of the i32 on the stack, using local $w: rotl(w, 8) keeps bytes 1 and 3 in place,
 * rotr(w, 8) bytes 0 and 2 (WebAssembly memory is little-endian; big-endian records are not).
 */
export const BSWAP32: readonly Instr[] = [
  { op: 'local.tee', local: '$w' },
  { op: 'i32.const', value: 8 },
  { op: 'i32.rotl' },
  { op: 'i32.const', value: 0x00ff00ff },
  { op: 'i32.and' },
  { op: 'local.get', local: '$w' },
  { op: 'i32.const', value: 8 },
  { op: 'i32.rotr' },
  { op: 'i32.const', value: 0xff00ff00 },
  { op: 'i32.and' },
  { op: 'i32.or' },
];
