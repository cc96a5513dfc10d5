import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check, validate, isValid, BpfError, BPF_ERROR, type BpfErrorCode } from '../../src/bpf/validate.js';
import { loadProgram, ProgramLoadError } from '../../src/bpf/load.js';
import { encode, EncodingError } from '../../src/bpf/encode.js';
import { OPCODES, insn, stmt, jump, opcodeInfo, BPF_MAXINSNS, type Insn } from '../../src/bpf/isa.js';

const RET0 = stmt(0x06, 0);
const ALLOW = stmt(0x06, 0x7fff0000);

// Each accepted form: a program the kernel takes (test/kernel/validate.test.ts checks the same
// rules against the kernel on random programs).
const accepted: Array<[string, Insn[]]> = [
  ['one return', [RET0]],
  ['ret a', [stmt(0x16, 0)]],
  ['4096 instructions', [...Array.from({ length: BPF_MAXINSNS - 1 }, () => stmt(0x00, 1)), RET0]],
  ['ld [0] (nr)', [stmt(0x20, 0), RET0]],
  ['ld [60] (last arg word)', [stmt(0x20, 60), RET0]],
  ['ld #len / ldx #len', [stmt(0x80, 0), stmt(0x81, 0), RET0]],
  ['div by constant 1', [stmt(0x34, 1), RET0]],
  ['div by x (may be zero)', [stmt(0x3c, 0), RET0]],
  ['lsh/rsh by 31', [stmt(0x64, 31), stmt(0x74, 31), RET0]],
  ['lsh/rsh by x', [stmt(0x6c, 0), stmt(0x7c, 0), RET0]],
  ['st M[15] then ld M[15]', [stmt(0x02, 15), stmt(0x60, 15), RET0]],
  ['stx then ldx', [stmt(0x03, 3), stmt(0x61, 3), RET0]],
  ['store on both paths', [jump(0x15, 1, 1, 0), stmt(0x02, 2), stmt(0x02, 2), stmt(0x60, 2), RET0]],
  ['ja to the last instruction', [stmt(0x05, 1), RET0, RET0]],
  ['cond jump to the last instruction', [jump(0x15, 0, 1, 0), RET0, RET0]],
  ['jt/jf of non-jumps are ignored', [insn(0x20, 4, 7, 9), insn(0x06, 0, 255, 255)]],
  ['a read after ret on an unreachable path', [stmt(0x02, 0), RET0, stmt(0x60, 0), RET0]],
  ['unreachable read after ja', [stmt(0x05, 1), stmt(0x60, 5), RET0]],
];
for (const [name, program] of accepted) {
  test(`accepts: ${name}`, () => {
    assert.equal(check(program), []);
    assert.ok(isValid(program));
    const p = validate(program);
    assert.equal([...p], program.map(({ code, jt, jf, k }) => ({ code, jt, jf, k })));
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p[0]));
  });
}

const rejected: Array<[string, Insn[], BpfErrorCode, number]> = [
  ['empty program', [], BPF_ERROR.EMPTY, 0],
  ['4097 instructions', [...Array.from({ length: BPF_MAXINSNS }, () => stmt(0x00, 1)), RET0], BPF_ERROR.TOO_LONG, 4096],
  ['code above 0xff', [insn(0x120, 0), RET0], BPF_ERROR.UNKNOWN_OPCODE, 0],
  ['undefined code 0x0e (ret x)', [stmt(0x0e, 0)], BPF_ERROR.UNKNOWN_OPCODE, 0],
  ['ldx|b|imm', [stmt(0x11, 0), RET0], BPF_ERROR.UNKNOWN_OPCODE, 0],
  ['field out of range', [{ code: 0x00, jt: 0, jf: 0, k: -1 }, RET0], BPF_ERROR.MALFORMED, 0],
  ['ldh [0]', [stmt(0x28, 0), RET0], BPF_ERROR.NOT_IN_SECCOMP, 0],
  ['ld [x+0]', [stmt(0x40, 0), RET0], BPF_ERROR.NOT_IN_SECCOMP, 0],
  ['ldxb msh', [stmt(0xb1, 0), RET0], BPF_ERROR.NOT_IN_SECCOMP, 0],
  ['mod #3', [stmt(0x94, 3), RET0], BPF_ERROR.NOT_IN_SECCOMP, 0],
  ['mod x', [stmt(0x9c, 0), RET0], BPF_ERROR.NOT_IN_SECCOMP, 0],
  ['ld [64]', [stmt(0x20, 64), RET0], BPF_ERROR.LOAD_OUT_OF_RANGE, 0],
  ['ld [0xfffff000] (ancillary)', [stmt(0x20, 0xfffff000), RET0], BPF_ERROR.LOAD_OUT_OF_RANGE, 0],
  ['ld [2]', [stmt(0x20, 2), RET0], BPF_ERROR.LOAD_MISALIGNED, 0],
  ['div #0', [stmt(0x34, 0), RET0], BPF_ERROR.DIVISION_BY_ZERO, 0],
  ['lsh #32', [stmt(0x64, 32), RET0], BPF_ERROR.SHIFT_TOO_LARGE, 0],
  ['rsh #0xffffffff', [stmt(0x74, 0xffffffff), RET0], BPF_ERROR.SHIFT_TOO_LARGE, 0],
  ['st M[16]', [stmt(0x02, 16), RET0], BPF_ERROR.MEM_OUT_OF_RANGE, 0],
  ['ldx M[16]', [stmt(0x03, 0), stmt(0x61, 16), RET0], BPF_ERROR.MEM_OUT_OF_RANGE, 1],
  ['ja past the end', [stmt(0x05, 1), RET0], BPF_ERROR.JUMP_OUT_OF_RANGE, 0],
  ['ja #0xffffffff (a loop in u32)', [stmt(0x05, 0xffffffff), RET0], BPF_ERROR.JUMP_OUT_OF_RANGE, 0],
  ['jt past the end', [RET0, jump(0x15, 0, 1, 0), RET0], BPF_ERROR.JUMP_OUT_OF_RANGE, 1],
  ['jf past the end', [jump(0x25, 0, 0, 2), RET0], BPF_ERROR.JUMP_OUT_OF_RANGE, 0],
  ['last is not a return', [RET0, stmt(0x00, 0)], BPF_ERROR.NO_FINAL_RETURN, 1],
  ['ld M[0] never written', [stmt(0x60, 0), RET0], BPF_ERROR.MEM_READ_BEFORE_WRITE, 0],
  ['ldx M[1] written to another cell', [stmt(0x02, 0), stmt(0x61, 1), RET0], BPF_ERROR.MEM_READ_BEFORE_WRITE, 1],
  ['written on one path only', [jump(0x15, 1, 1, 0), stmt(0x02, 2), stmt(0x60, 2), RET0], BPF_ERROR.MEM_READ_BEFORE_WRITE, 2],
  ['written after a ja skips it', [stmt(0x05, 1), stmt(0x02, 0), stmt(0x60, 0), RET0], BPF_ERROR.MEM_READ_BEFORE_WRITE, 2],
  // The kernel does not reset its set after a RET: the fall-through set still counts at the next
  // instruction even though only a jump reaches it (conservative; reproduced exactly).
  ['after ret, the fall-through set still counts', [jump(0x15, 0, 1, 0), RET0, stmt(0x60, 0), RET0], BPF_ERROR.MEM_READ_BEFORE_WRITE, 2],
];
for (const [name, program, code, pc] of rejected) {
  test(`rejects: ${name} -> ${code} at ${pc}`, () => {
    const errors = check(program);
    assert.ok(errors.length > 0, 'expected an error');
    assert.ok(errors.some((e) => e.code === code && e.pc === pc), errors.map((e) => `${e.code}@${e.pc}`).join(', '));
    assert.not.ok(isValid(program));
    assert.throws(() => validate(program), (e: unknown) => e instanceof BpfError && e.code === errors[0]!.code);
  });
}

test('every seccomp opcode is accepted in a minimal context, every other classic opcode rejected', () => {
  for (const op of OPCODES) {
    const k = op.operand === 'abs' ? 4 : op.operand === 'mem' ? 0 : op.mnemonic === 'div' || op.mnemonic === 'mod' ? 3 : 1;
    const setup = op.operand === 'mem' ? [stmt(0x02, 0)] : [];
    const program = [...setup, insn(op.code, k), RET0, RET0];
    const errors = check(program);
    if (op.seccomp) assert.equal(errors, [], op.mnemonic);
    else assert.equal(errors.map((e) => e.code), [BPF_ERROR.NOT_IN_SECCOMP], `${op.mnemonic} 0x${op.code.toString(16)}`);
  }
});

test('every u16 code outside the opcode table is unknown', () => {
  for (let code = 0; code <= 0xffff; code++) {
    if (opcodeInfo(code)) continue;
    const errors = check([insn(code, 0), RET0]);
    assert.is(errors[0]?.code, BPF_ERROR.UNKNOWN_OPCODE);
  }
});

test('check reports every problem, in instruction order', () => {
  const errors = check([stmt(0x20, 3), stmt(0x34, 0), stmt(0x60, 0), stmt(0x00, 0)]);
  assert.equal(
    errors.map((e) => [e.code, e.pc]),
    [
      [BPF_ERROR.LOAD_MISALIGNED, 0],
      [BPF_ERROR.DIVISION_BY_ZERO, 1],
      [BPF_ERROR.MEM_READ_BEFORE_WRITE, 2],
      [BPF_ERROR.NO_FINAL_RETURN, 3],
    ],
  );
  assert.match(errors[0]!.message, /^instruction 0: ld \[3\] is not 4-byte aligned/);
});

test('loadProgram detects the byte order, preferring little', () => {
  const program = [stmt(0x20, 4), jump(0x15, 0xc000003e, 0, 1), ALLOW, RET0];
  assert.is(loadProgram(encode(program, 'little')).order, 'little');
  assert.is(loadProgram(encode(program, 'big')).order, 'big');
  assert.equal([...loadProgram(encode(program, 'big')).program], program);
  // No program is valid both ways: a swapped valid code (< 0x100) is >= 0x100 unless it is 0
  // (ld #k), and the last instruction must be a return. So the tie rule never fires.
  assert.is(loadProgram(encode([RET0], 'big')).order, 'big');
});

test('loadProgram with an explicit order tries only that order', () => {
  const bytes = encode([stmt(0x20, 4), RET0], 'big');
  assert.throws(() => loadProgram(bytes, 'little'), (e: unknown) => e instanceof ProgramLoadError && /as little-endian/.test(e.message));
  assert.is(loadProgram(bytes, 'big').order, 'big');
});

test('loadProgram names the problem in both orders when neither is valid', () => {
  const bytes = encode([stmt(0x20, 4), stmt(0x00, 0)], 'little');
  assert.throws(
    () => loadProgram(bytes),
    (e: unknown) =>
      e instanceof ProgramLoadError &&
      /either byte order/.test(e.message) &&
      e.errors.little![0]!.code === BPF_ERROR.NO_FINAL_RETURN &&
      e.errors.big !== undefined,
  );
  assert.throws(() => loadProgram(new Uint8Array(12)), (e: unknown) => e instanceof EncodingError);
});

test.run();
