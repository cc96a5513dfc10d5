import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OPCODES, opcodeInfo, classOf, BPF_CLASS, insn } from '../../src/bpf/isa.js';

test('opcode table has unique codes', () => {
  const codes = OPCODES.map((o) => o.code);
  assert.is(new Set(codes).size, codes.length);
});

const cases: Array<[number, string, boolean]> = [
  [0x20, 'ld', true], // BPF_LD|BPF_W|BPF_ABS
  [0x28, 'ldh', false], // BPF_LD|BPF_H|BPF_ABS: not in seccomp
  [0x15, 'jeq', true], // BPF_JMP|BPF_JEQ|BPF_K
  [0x06, 'ret', true], // BPF_RET|BPF_K
  [0x16, 'ret', true], // BPF_RET|BPF_A
  [0x94, 'mod', false], // BPF_ALU|BPF_MOD|BPF_K
  [0xb1, 'ldxb', false], // BPF_LDX|BPF_B|BPF_MSH
];
for (const [code, mnemonic, seccomp] of cases) {
  test(`opcode 0x${code.toString(16)} is ${mnemonic}, seccomp=${seccomp}`, () => {
    const info = opcodeInfo(code);
    assert.ok(info);
    assert.is(info.mnemonic, mnemonic);
    assert.is(info.seccomp, seccomp);
  });
}

test('undefined opcodes have no entry; fields extract', () => {
  assert.is(opcodeInfo(0x0e), undefined); // BPF_RET|BPF_X is not classic BPF
  assert.is(classOf(0x15), BPF_CLASS.JMP);
  assert.equal(insn(0x15, -1, 300, 1), { code: 0x15, jt: 300 & 0xff, jf: 1, k: 0xffffffff });
});

test.run();
