import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { stmt } from '../../src/bpf/isa.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-validate-'));
const file = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const good = file('good.bpf', encode([stmt(0x20, 0), stmt(0x06, 0x7fff0000)], 'big'));
const bad = file('bad.bpf', encode([stmt(0x20, 2), stmt(0x34, 0), stmt(0x00, 0)], 'little'));
const partial = file('partial.bpf', new Uint8Array(12));

async function validate(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['validate', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

// [argv, exit code, stdout pattern, stderr pattern]
const cases: Array<[string[], number, RegExp, RegExp]> = [
  [[good], 0, /good\.bpf: valid seccomp filter, 2 instructions, big-endian\n$/, /^$/],
  [[good, '--endian', 'big'], 0, /valid/, /^$/],
  [[good, '--endian', 'little'], 1, /^$/, /not a valid seccomp filter:\n  instruction 0: 0x2000 is not a classic BPF opcode \(unknown_opcode\)/],
  [
    [bad],
    1,
    /^$/,
    /in either byte order; as little-endian:\n  instruction 0: ld \[2\] is not 4-byte aligned \(load_misaligned\)\n      > 0: ld \[2\]\n        1: div #0\n  instruction 1: div by the constant 0 \(division_by_zero\)\n(.*\n){3}  instruction 2: the last instruction must be a return.*\n(.*\n){2}  \(as big-endian: \d+ problems, first: instruction 0/,
  ],
  [[partial], 1, /^$/, /partial\.bpf: filter length 12 bytes is not a multiple of 8/],
  [[join(dir, 'missing.bpf')], 1, /^$/, /cannot read .*missing\.bpf: no such file/],
  [[], 2, /^$/, /missing FILE\.bpf/],
  [[good, good], 2, /^$/, /expected one FILE\.bpf/],
  [[good, '--endian', 'pdp'], 2, /^$/, /--endian must be 'little' or 'big'/],
  [['--bogus'], 2, /^$/, /unknown or unexpected option: --bogus/],
  [['--help'], 0, /Usage: seccompile validate FILE\.bpf/, /^$/],
];
for (const [argv, code, out, err] of cases) {
  test(`validate ${argv.map((a) => a.replace(dir + '/', '')).join(' ')} -> ${code}`, async () => {
    const r = await validate(...argv);
    assert.is(r.code, code, r.err);
    assert.match(r.out, out);
    assert.match(r.err, err);
    if (code === 2) assert.is(r.err.trim().split('\n').length, 1, 'usage errors are one line');
  });
}

test('validate - reads the filter from stdin', async () => {
  const io = memoryIO(String.fromCharCode(...encode([stmt(0x06, 0x00050001)], 'little'))); // ASCII bytes: memoryIO's stdin is text
  assert.is(await main(['validate', '-'], io), 0, io.err());
  assert.is(io.out(), '-: valid seccomp filter, 1 instruction, little-endian\n');
});

test('the command list names validate and eval', async () => {
  const io = memoryIO();
  await main(['--help'], io);
  assert.match(io.out(), /validate .*seccomp rules/);
  assert.match(io.out(), /eval .*JSON lines/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
