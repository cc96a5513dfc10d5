/**
 * Classic-BPF semantics as a table: one case per behaviour of every seccomp opcode, with the
 * return value and executed-instruction count the kernel gives. Shared by every engine that
 * runs programs (the interpreter, the WebAssembly JIT), so they are held to the same cases.
 */
import { stmt, jump, type Insn } from '../../src/bpf/isa.js';

// 64 bytes whose word i (little-endian) is 0xa0b0c000 + i, so loads show offset and byte order.
export const data = new Uint8Array(64);
export const view = new DataView(data.buffer);
for (let i = 0; i < 16; i++) view.setUint32(4 * i, 0xa0b0c000 + i, true);

export const RET_A = stmt(0x16, 0);
const ldk = (k: number) => stmt(0x00, k);
const ldxk = (k: number) => stmt(0x01, k);
const alu = (code: number, a: number, operand: number): Insn[] =>
  (code & 0x08) ? [ldxk(operand), ldk(a), stmt(code, 0), RET_A] : [ldk(a), stmt(code, operand), RET_A];
// jt -> ret 1, jf -> ret 2
const cond = (code: number, a: number, operand: number): Insn[] => [
  ...((code & 0x08) ? [ldxk(operand)] : []),
  ldk(a),
  jump(code, code & 0x08 ? 0 : operand, 0, 1),
  stmt(0x06, 1),
  stmt(0x06, 2),
];

// [name, program, expected return value, expected steps (final return included)]
export const SEMANTICS_CASES: ReadonlyArray<readonly [string, Insn[], number, number]> = [
  ['ld [0] little', [stmt(0x20, 0), RET_A], 0xa0b0c000, 2],
  ['ld [60] little', [stmt(0x20, 60), RET_A], 0xa0b0c00f, 2],
  ['ld #len', [stmt(0x80, 0), RET_A], 64, 2],
  ['ldx #len; txa', [stmt(0x81, 0), stmt(0x87, 0), RET_A], 64, 3],
  ['ld #k', [ldk(0xfffffffe), RET_A], 0xfffffffe, 2],
  ['ldx #k; txa', [ldxk(7), stmt(0x87, 0), RET_A], 7, 3],
  ['tax; ld #0; txa', [ldk(9), stmt(0x07, 0), ldk(0), stmt(0x87, 0), RET_A], 9, 5],
  ['A and X start at 0', [stmt(0x0c, 0), RET_A], 0, 2],
  ['st / ld M[k]', [ldk(5), stmt(0x02, 3), ldk(0), stmt(0x60, 3), RET_A], 5, 5],
  ['stx / ldx M[k]', [ldxk(6), stmt(0x03, 15), ldxk(0), stmt(0x61, 15), stmt(0x87, 0), RET_A], 6, 6],
  ['add #k wraps', alu(0x04, 0xffffffff, 2), 1, 3],
  ['add x wraps', alu(0x0c, 0xffffffff, 3), 2, 4],
  ['sub #k underflows', alu(0x14, 0, 1), 0xffffffff, 3],
  ['sub x', alu(0x1c, 10, 3), 7, 4],
  ['mul #k keeps the low 32 bits', alu(0x24, 0x10001, 0x10001), 0x20001, 3],
  ['mul x 0xffffffff^2', alu(0x2c, 0xffffffff, 0xffffffff), 1, 4],
  ['div #k unsigned', alu(0x34, 0xffffffff, 2), 0x7fffffff, 3],
  ['div x truncates', alu(0x3c, 7, 2), 3, 4],
  ['div x by 0 returns 0 at once', [ldk(7), stmt(0x3c, 0), stmt(0x06, 9)], 0, 2],
  ['or #k', alu(0x44, 0x80000000, 1), 0x80000001, 3],
  ['or x', alu(0x4c, 0xf0, 0x0f), 0xff, 4],
  ['and #k high bit', alu(0x54, 0xffffffff, 0x80000000), 0x80000000, 3],
  ['and x', alu(0x5c, 0xff, 0x0f), 0x0f, 4],
  ['xor #k', alu(0xa4, 0xffffffff, 0x0f0f0f0f), 0xf0f0f0f0, 3],
  ['xor x', alu(0xac, 5, 5), 0, 4],
  ['lsh #31', alu(0x64, 3, 31), 0x80000000, 3],
  ['lsh x 4', alu(0x6c, 1, 4), 16, 4],
  ['lsh x 33 counts modulo 32', alu(0x6c, 1, 33), 2, 4],
  ['lsh x 32 is a no-op', alu(0x6c, 5, 32), 5, 4],
  ['rsh #31 is logical', alu(0x74, 0x80000000, 31), 1, 3],
  ['rsh x 36 counts modulo 32', alu(0x7c, 0x80, 36), 8, 4],
  ['neg 1', [ldk(1), stmt(0x84, 0), RET_A], 0xffffffff, 3],
  ['neg 0', [ldk(0), stmt(0x84, 0), RET_A], 0, 3],
  ['ja skips', [stmt(0x05, 1), stmt(0x06, 1), stmt(0x06, 2)], 2, 2],
  ['jeq #k true', cond(0x15, 4, 4), 1, 3],
  ['jeq #k false', cond(0x15, 4, 5), 2, 3],
  ['jeq x true', cond(0x1d, 4, 4), 1, 4],
  ['jgt #k unsigned', cond(0x25, 0x80000000, 1), 1, 3],
  ['jgt #k equal is false', cond(0x25, 7, 7), 2, 3],
  ['jgt x', cond(0x2d, 1, 0x80000000), 2, 4],
  ['jge #k equal', cond(0x35, 7, 7), 1, 3],
  ['jge x less', cond(0x3d, 6, 7), 2, 4],
  ['jset #k', cond(0x45, 0x80000000, 0x80000001), 1, 3],
  ['jset #k none', cond(0x45, 2, 5), 2, 3],
  ['jset x', cond(0x4d, 6, 2), 1, 4],
  ['ret #k', [stmt(0x06, 0x7fff0000)], 0x7fff0000, 1],
  ['ret a', [ldk(0x80000000), RET_A], 0x80000000, 2],
];
