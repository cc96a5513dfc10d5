import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, decode, EncodingError } from '../../src/bpf/encode.js';
import { insn } from '../../src/bpf/isa.js';

const program = [insn(0x20, 4), insn(0x15, 0xc000003e, 1, 0), insn(0x06, 0x7fff0000), insn(0x06, 0)];

test('little-endian layout is struct sock_filter', () => {
  const bytes = encode(program);
  assert.is(bytes.length, 32);
  assert.equal([...bytes.subarray(8, 16)], [0x15, 0x00, 0x01, 0x00, 0x3e, 0x00, 0x00, 0xc0]);
});

test('big-endian layout swaps code and k', () => {
  const bytes = encode(program, 'big');
  assert.equal([...bytes.subarray(8, 16)], [0x00, 0x15, 0x01, 0x00, 0xc0, 0x00, 0x00, 0x3e]);
});

for (const order of ['little', 'big'] as const) {
  test(`round trip (${order})`, () => {
    assert.equal(decode(encode(program, order), order), program);
  });
}

const bad: Array<[string, number, RegExp]> = [
  ['empty', 0, /empty/],
  ['partial', 12, /not a multiple of 8/],
  ['one byte', 1, /7|not a multiple/],
];
for (const [name, length, message] of bad) {
  test(`rejects ${name} input`, () => {
    assert.throws(() => decode(new Uint8Array(length)), (e: unknown) => e instanceof EncodingError && message.test(e.message));
  });
}

test.run();
