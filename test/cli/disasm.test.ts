import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { insn } from '../../src/bpf/isa.js';
import { GOLDEN_DIR } from '../support/golden.js';
import { archDispatch, argCompares } from '../support/programs.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-disasm-'));
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['disasm', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}
const golden = (name: string) => readFileSync(join(GOLDEN_DIR, 'disasm', name), 'utf8');

test('--help', async () => {
  const r = await run('--help');
  assert.is(r.code, 0);
  assert.match(r.out, /^Usage: seccompile disasm FILE.bpf/);
});

test('lists a little-endian filter with the annotations of the golden file', async () => {
  const r = await run(file('dispatch.bpf', encode(archDispatch, 'little')));
  assert.equal([r.code, r.err], [0, '']);
  assert.is(r.out, golden('arch-dispatch.txt'));
});

test('detects a big-endian filter and reads argument halves in that order', async () => {
  const r = await run(file('args-be.bpf', encode(argCompares, 'big')));
  assert.equal([r.code, r.err], [0, '']);
  assert.is(r.out, '.endian big\n' + golden('arg-compares.big-endian.txt')); // so that asm encodes it big-endian again
});

test('--endian forces the order: the wrong one lists garbage and reports it invalid', async () => {
  const r = await run(file('args-be2.bpf', encode(argCompares, 'big')), '--endian', 'little');
  assert.is(r.code, 1);
  assert.match(r.err, /is not a valid seccomp filter as little-endian/);
  assert.match(r.out, /\.insn 0x2000/);
});

test('--no-annotate prints instructions only', async () => {
  const r = await run(file('plain.bpf', encode(archDispatch)), '--no-annotate');
  assert.is(r.code, 0);
  assert.not.match(r.out, ';');
  assert.match(r.out, /^ {3}1: jeq #0xc000003e, L4$/m);
});

test('an invalid program is still listed; its problems go to stderr, exit 1', async () => {
  const bad = [insn(0x20, 4), insn(0x15, 0xc000003e, 9, 0), insn(0x20, 6), insn(0x06, 0x7fff0000)];
  const r = await run(file('bad.bpf', encode(bad)));
  assert.is(r.code, 1);
  assert.match(r.out, /^ {2}1: jeq #0xc000003e, \+9 +; AUDIT_ARCH_X86_64; INVALID: jump_out_of_range$/m);
  assert.match(r.out, /^ {2}2: ld \[6\] +; misaligned; INVALID: load_misaligned$/m);
  assert.match(r.err, /not a valid seccomp filter in either byte order \(listed as little-endian\)/);
  assert.match(r.err, /instruction 1: .*\[jump_out_of_range\]/);
  assert.match(r.err, /instruction 2: .*\[load_misaligned\]/);
});

const failures: Array<[string, string[], number, RegExp]> = [
  ['missing FILE', [], 2, /missing FILE.bpf/],
  ['two files', ['a', 'b'], 2, /expected one FILE\.bpf, got 2/],
  ['bad --endian', ['x.bpf', '--endian', 'middle'], 2, /--endian must be 'little' or 'big'/],
  ['unknown option', ['--frobnicate'], 2, /unknown or unexpected option: --frobnicate/],
  ['no such file', [join(dir, 'missing.bpf')], 1, /cannot read .*missing\.bpf: no such file/],
  ['partial instruction', [file('partial.bpf', new Uint8Array(12))], 1, /not a multiple of 8/],
  ['empty file', [file('empty.bpf', new Uint8Array(0))], 1, /empty filter/],
];
for (const [name, argv, code, message] of failures) {
  test(`fails: ${name}`, async () => {
    const r = await run(...argv);
    assert.is(r.code, code);
    assert.match(r.err, message);
    assert.is(r.err.trimEnd().split('\n').length, 1, 'one line');
  });
}

const texts: Array<[string, string, RegExp]> = [
  ['a listing (disasm output)', 'L0:\n    0: ld [4]                     ; arch\n    1: ret #0x7fff0000            ; ALLOW\n', /is text, not a filter \(raw struct sock_filter bytes\); it looks like a BPF assembly listing: seccompile asm \S+listing\.txt -o FILE\.bpf assembles it\n$/],
  ['a policy', "import { policy } from 'seccompile';\nexport default policy({ default: allow(), rules: [] });\n", /is text, not a filter .*; to compile a policy: seccompile \S+policy\.ts -o FILE\.bpf\n$/],
  ['prose with a few instructions in it', '# Notes\n\nThe filter starts with\n\n    ld [4]\n\nand then compares the arch. Eight bytes a line.\n', /is text, not a filter .*; seccompile POLICY -o FILE\.bpf and seccompile asm write filters\n$/],
];
const textFiles: Record<string, string> = { 'a listing (disasm output)': 'listing.txt', 'a policy': 'policy.ts', 'prose with a few instructions in it': 'notes.md' };
for (const [name, text, message] of texts) {
  test(`text is refused with the command that takes it: ${name}`, async () => {
    // Multiples of 8 bytes, which would otherwise decode into a long list of bad instructions.
    const padded = text + ' '.repeat((8 - (text.length % 8)) % 8);
    const r = await run(file(textFiles[name]!, Buffer.from(padded)));
    assert.equal([r.code, r.out], [1, '']);
    assert.match(r.err, message);
    assert.is(r.err.split('\n').length, 2, r.err);
  });
}

test('eval refuses text the same way', async () => {
  const io = memoryIO();
  const code = await main(['eval', file('listing2.txt', Buffer.from('ret #0\nret #1\n'))], io);
  assert.is(code, 1);
  assert.match(io.err(), /listing2\.txt is text, not a filter .*seccompile asm/);
});

test.run();
