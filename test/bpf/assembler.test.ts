import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assemble, AsmError, type AsmDiagnostic, type AsmErrorCode } from '../../src/bpf/assembler.js';
import { formatDiagnostic, type Diagnostic } from '../../src/ir/diagnostics.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { encode } from '../../src/bpf/encode.js';
import { OPCODES, insn, type Insn, type OpcodeInfo } from '../../src/bpf/isa.js';
import { PROGRAMS } from '../support/programs.js';

/** mulberry32: a seeded PRNG, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const u32 = (r: () => number) => Math.floor(r() * 2 ** 32) >>> 0;
const u8 = (r: () => number) => Math.floor(r() * 256);

/** disassemble -> assemble must give back the same instructions and the same bytes. */
function roundTrip(program: readonly Insn[], what: string): void {
  const text = disassemble(program);
  const back = assemble(text).insns;
  assert.equal(back, program, `${what}:\n${text}`);
  for (const order of ['little', 'big'] as const) assert.equal(encode(back, order), encode(program, order));
}

/** A canonical instruction of `o` with random operands (the form disassemble writes as a mnemonic). */
function randomOf(o: OpcodeInfo, r: () => number): Insn {
  const usesK = !['x', 'a', 'len', 'none'].includes(o.operand) || o.jump === 'always';
  const k = usesK ? (r() < 0.5 ? Math.floor(r() * 64) : u32(r)) : 0;
  return o.jump === 'cond' ? insn(o.code, k, r() < 0.3 ? 0 : u8(r), r() < 0.5 ? 0 : u8(r)) : insn(o.code, k);
}

for (const o of OPCODES) {
  test(`round trip: ${o.mnemonic} ${o.operand} (0x${o.code.toString(16)})`, () => {
    const r = rng(o.code + 1);
    for (let i = 0; i < 16; i++) {
      // In the middle of a 300-instruction program, so targets land both inside and past the end.
      const program: Insn[] = Array.from({ length: 300 }, () => insn(0x06, 0));
      const at = Math.floor(r() * 300);
      program[at] = randomOf(o, r);
      roundTrip(program, `${o.mnemonic} at ${at}`);
    }
  });
}

test('round trip: conditional jumps with every jt/jf corner (0, 1, 254, 255)', () => {
  const corners = [0, 1, 254, 255];
  for (const jt of corners) {
    for (const jf of corners) {
      for (const length of [2, 256, 258]) {
        const program: Insn[] = Array.from({ length }, () => insn(0x06, 0x7fff0000));
        program[0] = insn(0x15, 59, jt, jf);
        roundTrip(program, `jt=${jt} jf=${jf} length=${length}`);
      }
    }
  }
});

test('round trip: random words (undefined codes, ignored fields set)', () => {
  const r = rng(42);
  for (let n = 0; n < 40; n++) {
    const program = Array.from({ length: 1 + Math.floor(r() * 60) }, () =>
      r() < 0.5 ? insn(Math.floor(r() * 0x10000), u32(r), u8(r), u8(r)) : insn(Math.floor(r() * 0x100), u32(r), u8(r), u8(r)),
    );
    roundTrip(program, `random program ${n}`);
  }
});

test('round trip: random programs of known opcodes', () => {
  const r = rng(7);
  for (let n = 0; n < 30; n++) {
    const program = Array.from({ length: 1 + Math.floor(r() * 400) }, () => randomOf(OPCODES[Math.floor(r() * OPCODES.length)]!, r));
    roundTrip(program, `random program ${n}`);
  }
});

test('round trip: the hand-written seccomp programs', () => {
  for (const [name, program] of Object.entries(PROGRAMS)) roundTrip(program, name);
});

test('hand-written text: symbolic labels, comments, aliases, both target forms', () => {
  const text = `
; allow read on x86_64, kill the rest
start:  ld [4]                ; arch
        jne #0xc000003e, kill
        ld [0]
        jlt #1, allow         ; read is 0
        jle #0x3b, kill, allow
        jmp kill
allow:  ret #0x7fff0000
kill:   ret #0
`;
  const { insns, lines } = assemble(text);
  assert.equal(insns, [
    insn(0x20, 4),
    insn(0x15, 0xc000003e, 0, 5),
    insn(0x20, 0),
    insn(0x35, 1, 0, 2),
    insn(0x25, 59, 1, 2),
    insn(0x05, 1),
    insn(0x06, 0x7fff0000),
    insn(0x06, 0),
  ]);
  assert.equal(lines, [3, 4, 5, 6, 7, 8, 9, 10]);
});

const spellings: Array<[string, Insn]> = [
  ['LD [X+4]', insn(0x40, 4)],
  ['ld [ %x + 0x10 ]', insn(0x40, 16)],
  ['ldb [x]', insn(0x50, 0)],
  ['ld m[ 3 ]', insn(0x60, 3)],
  ['ldx 4*([14]&0xf)', insn(0xb1, 14)],
  ['ldxb 4 * ( [ 14 ] & 15 )', insn(0xb1, 14)],
  ['ld #-1', insn(0x00, 0xffffffff)],
  ['add #-2147483648', insn(0x04, 0x80000000)],
  ['ret %a', insn(0x16, 0)],
  ['ret #0X7FFF0000', insn(0x06, 0x7fff0000)],
  ['jset %x, +3, +0', insn(0x4d, 0, 3, 0)],
  ['ja +4294967295', insn(0x05, 0xffffffff)],
  ['.insn 0xffff, 255, 0, -1', insn(0xffff, 0xffffffff, 255, 0)],
  ['  12: x: y: ld #len ; two labels after an index', insn(0x80, 0)],
];
for (const [text, expected] of spellings) {
  test(`reads '${text}'`, () => {
    assert.equal(assemble(text).insns, [expected]);
  });
}

// [name, text, code, line, column, message]
const mistakes: Array<[string, string, AsmErrorCode, number, number, RegExp]> = [
  ['unknown mnemonic', 'lda [4]', 'unknown-mnemonic', 1, 1, /unknown mnemonic 'lda'/],
  ['wrong operand kind', 'ret x', 'operand', 1, 5, /'ret' takes #k or a, not x/],
  ['operand on tax', 'tax #1', 'operand', 1, 5, /'tax' takes no operand, not #k/],
  ['packet load form on st', 'st [4]', 'operand', 1, 4, /'st' takes M\[k\], not \[k\]/],
  ['unclosed bracket', 'ld [4', 'syntax', 1, 6, /expected '\]', found end of line/],
  ['not a number', 'ld #foo', 'syntax', 1, 5, /expected a 32-bit constant .* found 'foo'/],
  ['constant too big', 'ld #0x100000000', 'number-range', 1, 5, /does not fit a 32-bit constant/],
  ['negative offset', 'ld [-4]', 'number-range', 1, 5, /-4 does not fit an offset/],
  ['missing jump target', 'jeq #1', 'syntax', 1, 7, /expected ',' and a jump target/],
  ['bad jump target', 'jeq #1, 5', 'syntax', 1, 9, /expected a jump target \(a label or \+offset\)/],
  ['text after the instruction', 'ld [4] junk', 'syntax', 1, 8, /expected end of instruction, found 'junk'/],
  ['three targets', 'jeq #1, a, b, c\na: b: c: ret #0', 'syntax', 1, 13, /expected end of instruction/],
  ['undefined label', 'ja nowhere\nret #0', 'label-undefined', 1, 4, /undefined label 'nowhere'/],
  ['duplicate label', 'a: ret #0\n  a: ret #0', 'label-duplicate', 2, 3, /label 'a' is already defined/],
  ['backward jump', 'top: ld [0]\njeq #1, top\nret #0', 'jump-backward', 2, 9, /goes backward from instruction 1/],
  ['conditional jump too far', `jeq #1, far\n${'ret #0\n'.repeat(256)}far: ret #0`, 'jump-too-far', 1, 9, /256 instructions ahead.*at most 255 \(use ja\)/],
  ['relative offset too far', 'jeq #1, +256\nret #0', 'jump-too-far', 1, 9, /\+256 exceeds 255/],
  ['.insn code too big', '.insn 0x10000, 0, 0, 0', 'number-range', 1, 7, /does not fit a 16-bit code/],
  ['.insn missing field', '.insn 6, 0, 0', 'syntax', 1, 14, /expected ','/],
  ['no instructions', '; nothing here\n\n', 'empty', 1, 1, /no instructions/],
  ['.endian without an order', '.endian\nret #0', 'syntax', 1, 8, /expected big or little after \.endian, found end of line/],
  ['.endian with another order', '.endian middle\nret #0', 'syntax', 1, 9, /expected big or little after \.endian, found 'middle'/],
  ['.endian twice, different', '.endian big\n.endian little\nret #0', 'syntax', 2, 9, /\.endian little contradicts the earlier \.endian big/],
];
for (const [name, text, code, line, column, message] of mistakes) {
  test(`rejects: ${name}`, () => {
    try {
      assemble(text);
      assert.unreachable('assembled');
    } catch (e) {
      assert.instance(e, AsmError);
      const d = (e as AsmError).diagnostics[0]!;
      assert.equal([d.code, d.severity, d.path, d.location.line, d.location.column], [code, 'error', '', line, column], d.message);
      assert.match(d.message, message);
      assert.match((e as AsmError).message, `line ${line}, column ${column}: `);
    }
  });
}

test('.endian records the byte order; without it there is none', () => {
  assert.is(assemble('.endian big\nret #0').endian, 'big');
  assert.is(assemble('  .ENDIAN Little ; a comment\nret #0\n.endian little').endian, 'little');
  assert.is(assemble('ret #0').endian, undefined);
  assert.equal(assemble('.endian big\nret #0').insns, assemble('ret #0').insns);
});

test('collects every mistake, in source order', () => {
  try {
    assemble('ja nowhere\nfoo\nld [\nret #0');
    assert.unreachable();
  } catch (e) {
    assert.equal(
      (e as AsmError).diagnostics.map((d) => [d.location.line, d.code]),
      [
        [1, 'label-undefined'],
        [2, 'unknown-mnemonic'],
        [3, 'syntax'],
      ],
    );
  }
});

// The assembler cannot import the diagnostic type (src/bpf imports nothing else from src/), so
// its own must stay assignable to it: this line stops type-checking when they drift apart.
const asDiagnostic = (d: AsmDiagnostic): Diagnostic<AsmErrorCode> => d;
test('assembler diagnostics print with the shared formatter', () => {
  try {
    assemble('ret #0\nfoo');
    assert.unreachable();
  } catch (e) {
    assert.is(formatDiagnostic(asDiagnostic((e as AsmError).diagnostics[0]!), 'x.bpf'), "x.bpf:2:1: error: unknown mnemonic 'foo' [unknown-mnemonic]");
  }
});

test.run();
