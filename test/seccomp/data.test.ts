import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSeccompData, seccompDataProblem, type SeccompData } from '../../src/seccomp/data.js';

const sample: SeccompData = {
  nr: 41,
  arch: 0xc000003e,
  instructionPointer: 0x1122334455667788n,
  args: [2n, 0xffffffffffffffffn, 0x100000001n],
};

test('little-endian layout of struct seccomp_data', () => {
  const b = encodeSeccompData(sample, 'little');
  assert.is(b.length, 64);
  assert.equal([...b.subarray(0, 8)], [41, 0, 0, 0, 0x3e, 0, 0, 0xc0]);
  assert.equal([...b.subarray(8, 16)], [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  assert.equal([...b.subarray(16, 24)], [2, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal([...b.subarray(32, 40)], [1, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal([...b.subarray(40, 64)], new Array(24).fill(0), 'missing args are 0');
});

test('big-endian layout puts the high word of each u64 first', () => {
  const b = encodeSeccompData(sample, 'big');
  assert.equal([...b.subarray(0, 8)], [0, 0, 0, 41, 0xc0, 0, 0, 0x3e]);
  assert.equal([...b.subarray(16, 24)], [0, 0, 0, 0, 0, 0, 0, 2]);
});

test('negative nr is stored as its 32-bit pattern', () => {
  assert.equal([...encodeSeccompData({ ...sample, nr: -1 }, 'little').subarray(0, 4)], [255, 255, 255, 255]);
});

const bad: Array<[string, Partial<SeccompData>, RegExp]> = [
  ['nr too big', { nr: 2 ** 32 }, /nr/],
  ['nr fractional', { nr: 1.5 }, /nr/],
  ['arch negative', { arch: -1 }, /arch/],
  ['arg above u64', { args: [1n << 64n] }, /args\[0\]/],
  ['negative arg', { args: [0n, -1n] }, /args\[1\]/],
  ['seven args', { args: [0n, 0n, 0n, 0n, 0n, 0n, 0n] }, /at most 6/],
];
for (const [name, patch, re] of bad) {
  test(`rejects ${name}`, () => {
    assert.match(seccompDataProblem({ ...sample, ...patch }) ?? '', re);
    assert.throws(() => encodeSeccompData({ ...sample, ...patch }, 'little'), re);
  });
}

test.run();
