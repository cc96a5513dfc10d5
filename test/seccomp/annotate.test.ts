import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { annotateSeccomp, describeRet, disassembleSeccomp, seccompDataField } from '../../src/seccomp/annotate.js';
import { tableSyscallName } from '../../src/syscalls/syscall-namer.js';
import { assemble } from '../../src/bpf/assembler.js';
import { expectGolden } from '../support/golden.js';
import { PROGRAMS, argCompares } from '../support/programs.js';

for (const [name, program] of Object.entries(PROGRAMS)) {
  test(`golden: ${name}`, () => {
    expectGolden(`disasm/${name}.txt`, disassembleSeccomp(program, { syscallName: tableSyscallName }));
  });
}

test('golden: the same argument compares read on a big-endian machine (halves swap)', () => {
  expectGolden('disasm/arg-compares.big-endian.txt', disassembleSeccomp(argCompares, { endian: 'big', syscallName: tableSyscallName }));
});

const fields: Array<[number, string | undefined, string | undefined]> = [
  [0, 'nr', 'nr'],
  [4, 'arch', 'arch'],
  [8, 'instruction_pointer low', 'instruction_pointer high'],
  [12, 'instruction_pointer high', 'instruction_pointer low'],
  [16, 'args[0] low', 'args[0] high'],
  [36, 'args[2] high', 'args[2] low'],
  [60, 'args[5] high', 'args[5] low'],
  [64, undefined, undefined],
  [2, undefined, undefined],
];
for (const [offset, little, big] of fields) {
  test(`seccomp_data offset ${offset}`, () => {
    assert.is(seccompDataField(offset, 'little'), little);
    assert.is(seccompDataField(offset, 'big'), big);
  });
}

const rets: Array<[number, string]> = [
  [0x7fff0000, 'ALLOW'],
  [0x7fff1234, 'ALLOW'],
  [0x7ffc0000, 'LOG'],
  [0x0005000d, 'ERRNO(13)'],
  [0x0005ffff, 'ERRNO(4095) (data 65535 capped)'],
  [0x00030005, 'TRAP(5)'],
  [0x7ff00007, 'TRACE(7)'],
  [0x7fc00000, 'USER_NOTIF'],
  [0x00000000, 'KILL_THREAD'],
  [0x80000000, 'KILL_PROCESS'],
  [0x80000001, 'KILL_PROCESS'],
  [0x00010000, 'KILL_PROCESS (unknown action 0x10000)'],
];
for (const [ret, text] of rets) {
  test(`ret 0x${ret.toString(16)} is ${text}`, () => {
    assert.is(describeRet(ret), text);
  });
}

/** Annotations of a program written as text. */
const notes = (text: string) => annotateSeccomp(assemble(text).insns, { syscallName: tableSyscallName });

test('no syscall names without an arch check', () => {
  assert.equal(notes('ld [0]\njeq #59, k\nret #0x7fff0000\nk: ret #0'), ['nr', '', 'ALLOW', 'KILL_THREAD']);
});

test('names on the true branch of the arch check only', () => {
  const n = notes(`
    ld [4]
    jeq #0xc00000b7, ok, other
  ok: ld [0]
    jeq #221, k          ; execve on aarch64
  other: ld [0]
    jeq #221, k          ; reached from both sides: arch unknown
    ret #0x7fff0000
  k: ret #0`);
  assert.equal(n, ['arch', 'AUDIT_ARCH_AARCH64', 'nr', 'execve', 'nr', '', 'ALLOW', 'KILL_THREAD']);
});

test('jne-style arch check (jt = 0) establishes the arch on the fall-through', () => {
  const n = notes('ld [4]\njne #0x40000003, k\nld [0]\njeq #11, k\nret #0x7fff0000\nk: ret #0');
  assert.equal(n.slice(0, 4), ['arch', 'AUDIT_ARCH_I386', 'nr', 'execve']);
});

test('paths with different arches join to unknown', () => {
  const n = notes(`
    ld [4]
    jeq #0xc000003e, a
    jeq #0xc00000b7, a
    ret #0
  a: ld [0]
    jeq #0, k
    ret #0x7fff0000
  k: ret #0`);
  assert.is(n[5], '');
});

test('x32: the __X32_SYSCALL_BIT test and x32 numbers on x86_64', () => {
  const n = notes('ld [4]\njeq #0xc000003e, +0, k\nld [0]\njset #0x40000000, k\njeq #0x40000001, k\njeq #1, k\nret #0x7fff0000\nk: ret #0');
  assert.equal(n.slice(3, 6), ['__X32_SYSCALL_BIT (x32 ABI)', 'write (x32)', 'write']);
});

test('unknown arch constants, ALU results and ret a of an unknown A say what is known', () => {
  const n = notes('ld [4]\njeq #0x1234, +0\nld [16]\nadd #1\nst M[0]\nld M[0]\nret a');
  assert.equal(n, ['arch', 'unknown arch 0x1234', 'args[0] low', '', '', '', '']);
});

test('loads outside seccomp_data are named as such', () => {
  assert.equal(notes('ld [64]\nld [6]\nldh [0]\nret #0').slice(0, 3), ['past the end of seccomp_data', 'misaligned', '']);
});

test.run();
