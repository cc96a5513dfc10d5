import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { disassemble, disassembleAround, disassembleLines, formatInsn, jumpTargets } from '../../src/bpf/disasm.js';
import { BPF_MAXINSNS, OPCODES, insn, type Insn } from '../../src/bpf/isa.js';
import { expectGolden } from '../support/golden.js';

// One instruction at pc 0 of a 300-instruction program: in-range targets are labels.
const forms: Array<[string, Insn, string]> = [
  ['ld abs', insn(0x20, 4), 'ld [4]'],
  ['ldh abs', insn(0x28, 2), 'ldh [2]'],
  ['ldb abs', insn(0x30, 0x1234), 'ldb [0x1234]'],
  ['ld ind', insn(0x40, 8), 'ld [x + 8]'],
  ['ldh ind', insn(0x48, 0), 'ldh [x + 0]'],
  ['ld len', insn(0x80, 0), 'ld #len'],
  ['ld imm', insn(0x00, 0xc000003e), 'ld #0xc000003e'],
  ['ld mem', insn(0x60, 3), 'ld M[3]'],
  ['ldx imm', insn(0x01, 5), 'ldx #5'],
  ['ldx mem', insn(0x61, 15), 'ldx M[15]'],
  ['ldx len', insn(0x81, 0), 'ldx #len'],
  ['ldxb msh', insn(0xb1, 14), 'ldxb 4*([14]&0xf)'],
  ['st', insn(0x02, 0), 'st M[0]'],
  ['stx', insn(0x03, 7), 'stx M[7]'],
  ['add k', insn(0x04, 4), 'add #4'],
  ['add x', insn(0x0c, 0), 'add x'],
  ['and hex', insn(0x54, 0xffff0000), 'and #0xffff0000'],
  ['decimal/hex boundary', insn(0x04, 4095), 'add #4095'],
  ['hex from 4096', insn(0x04, 4096), 'add #0x1000'],
  ['neg', insn(0x84, 0), 'neg'],
  ['mod x', insn(0x9c, 0), 'mod x'],
  ['ja', insn(0x05, 8), 'ja L9'],
  ['ja out of range', insn(0x05, 0xffffffff), 'ja +4294967295'],
  ['jeq one target', insn(0x15, 0xc000003e, 4, 0), 'jeq #0xc000003e, L5'],
  ['jeq two targets', insn(0x15, 59, 4, 1), 'jeq #59, L5, L2'],
  ['jeq jt=0 jf=0', insn(0x15, 59, 0, 0), 'jeq #59, L1'],
  ['jeq true falls through', insn(0x15, 1, 0, 3), 'jeq #1, L1, L4'],
  ['jgt x', insn(0x2d, 0, 1, 2), 'jgt x, L2, L3'],
  ['jset', insn(0x45, 4, 255, 0), 'jset #4, L256'],
  ['jge target past the end', insn(0x35, 1, 255, 254), 'jge #1, L256, L255'],
  ['ret k', insn(0x06, 0x7fff0000), 'ret #0x7fff0000'],
  ['ret a', insn(0x16, 0), 'ret a'],
  ['tax', insn(0x07, 0), 'tax'],
  ['txa', insn(0x87, 0), 'txa'],
  // Words with no exact mnemonic form: undefined codes and ignored fields set.
  ['undefined code', insn(0xffff, 3, 1, 2), '.insn 0xffff, 1, 2, 3'],
  ['ld len with k', insn(0x80, 5), '.insn 0x80, 0, 0, 5'],
  ['tax with jt', insn(0x07, 0, 1, 0), '.insn 0x07, 1, 0, 0'],
  ['ret with jf', insn(0x06, 0x7fff0000, 0, 9), '.insn 0x06, 0, 9, 0x7fff0000'],
  ['jeq x with k', insn(0x1d, 9, 1, 0), '.insn 0x1d, 1, 0, 9'],
  ['ja with jt', insn(0x05, 1, 1, 0), '.insn 0x05, 1, 0, 1'],
];
for (const [name, ins, text] of forms) {
  test(`formats ${name}`, () => {
    assert.is(formatInsn(ins, 0, 300), text);
  });
}

test('every opcode in OPCODES has a mnemonic form (no .insn for canonical words)', () => {
  for (const o of OPCODES) {
    const ins = insn(o.code, o.operand === 'k' || o.operand === 'abs' || o.operand === 'mem' ? 3 : 0, o.jump === 'cond' ? 1 : 0);
    const text = formatInsn(ins, 0, 10);
    assert.ok(text.startsWith(o.mnemonic + ' ') || text === o.mnemonic, `${o.code.toString(16)}: ${text}`);
  }
});

test('targets outside the program are written as +offset', () => {
  assert.is(formatInsn(insn(0x15, 0, 1, 2), 7, 10), 'jeq #0, L9, +2');
  assert.is(formatInsn(insn(0x05, 2), 7, 10), 'ja +2');
});

test('labels precede targets only; the unwritten fall-through gets none', () => {
  const program = [insn(0x20, 0), insn(0x15, 1, 1, 0), insn(0x06, 0), insn(0x06, 0x7fff0000)];
  assert.equal(jumpTargets(program), [3]);
  assert.is(
    disassemble(program),
    ['  0: ld [0]', '  1: jeq #1, L3', '  2: ret #0', 'L3:', '  3: ret #0x7fff0000', ''].join('\n'),
  );
});

test('annotations go after ; at a fixed column; .insn explains itself', () => {
  const program = [insn(0x20, 4), insn(0x80, 5), insn(0x06, 0)];
  const out = disassemble(program, { annotate: (pc) => (pc === 0 ? 'arch' : pc === 1 ? 'note' : undefined) });
  assert.is(
    out,
    [
      '  0: ld [4]                      ; arch',
      '  1: .insn 0x80, 0, 0, 5         ; ld #len (ignored fields set); note',
      '  2: ret #0',
      '',
    ].join('\n'),
  );
  assert.match(disassemble([insn(0xfff0, 0)]), '; not a classic BPF opcode');
});

test('a 4096-instruction program: aligned indexes, one line per instruction, one label per target', () => {
  const program: Insn[] = [];
  for (let pc = 0; pc < BPF_MAXINSNS - 1; pc++) {
    program.push(pc % 2 === 0 ? insn(0x20, 0) : insn(0x15, pc, Math.min(255, BPF_MAXINSNS - 2 - pc), 0));
  }
  program.push(insn(0x06, 0x7fff0000));
  const lines = disassembleLines(program);
  const insnLines = lines.filter((l) => l.kind === 'insn');
  assert.is(insnLines.length, BPF_MAXINSNS);
  assert.is(lines.length - insnLines.length, jumpTargets(program).length);
  assert.is(insnLines[0]!.text, '     0: ld [0]');
  assert.is(insnLines[4095]!.text, '  4095: ret #0x7fff0000');
  assert.ok(insnLines.every((l) => /^ {2}[ \d]{4}: \S/.test(l.text)));
  assert.is(disassemble(program), disassemble(program.map((i) => ({ ...i }))), 'deterministic');
});

test('disassembleAround marks the instruction and keeps its neighbours', () => {
  const program = [insn(0x20, 0), insn(0x15, 1, 2, 0), insn(0x20, 4), insn(0x20, 8), insn(0x06, 0), insn(0x06, 1)];
  assert.is(
    disassembleAround(program, 2, 1),
    ['  1: jeq #1, L4', '> 2: ld [4]', '  3: ld [8]', ''].join('\n'),
  );
});

test('golden: every opcode, plain', () => {
  const program: Insn[] = OPCODES.map((o, pc) =>
    insn(o.code, o.jump === 'always' ? 1 : o.operand === 'k' || o.operand === 'abs' || o.operand === 'ind' || o.operand === 'mem' || o.operand === 'msh' ? pc : 0, o.jump === 'cond' ? 2 : 0, o.jump === 'cond' && pc % 2 ? 1 : 0),
  );
  program.push(insn(0x06, 0));
  expectGolden('disasm/every-opcode.txt', disassemble(program));
});

test.run();
