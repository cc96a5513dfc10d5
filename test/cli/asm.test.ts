import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { decode, encode } from '../../src/bpf/encode.js';
import { PROGRAMS } from '../support/programs.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-asm-'));
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
async function run(argv: string[], stdin = '', tty = false) {
  const io = memoryIO(stdin);
  if (tty) Object.assign(io.stdout, { isTTY: true });
  const code = await main(argv, io);
  return { code, out: io.out(), bytes: io.outBytes(), err: io.err() };
}

const source = `; allow read on x86_64
  ld [4]
  jne #0xc000003e, kill
  ld [0]
  jeq #0, allow, kill
allow: ret #0x7fff0000
kill:  ret #0x80000000
`;
const sourceBytes = (order: 'little' | 'big') =>
  encode(
    [
      { code: 0x20, jt: 0, jf: 0, k: 4 },
      { code: 0x15, jt: 0, jf: 3, k: 0xc000003e },
      { code: 0x20, jt: 0, jf: 0, k: 0 },
      { code: 0x15, jt: 0, jf: 1, k: 0 },
      { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 },
      { code: 0x06, jt: 0, jf: 0, k: 0x80000000 },
    ],
    order,
  );

test('--help', async () => {
  const r = await run(['asm', '--help']);
  assert.is(r.code, 0);
  assert.match(r.out, /^Usage: seccompile asm FILE.s \[-o FILE.bpf\]/);
});

test('assembles hand-written text to a file', async () => {
  const out = join(dir, 'allow-read.bpf');
  const r = await run(['asm', file('allow-read.s', source), '-o', out]);
  assert.equal([r.code, r.err, r.out], [0, '', '']);
  assert.equal(new Uint8Array(readFileSync(out)), sourceBytes('little'));
});

test('--endian big, stdin input, stdout output (not a terminal)', async () => {
  const r = await run(['asm', '-', '--endian', 'big'], source);
  assert.is(r.code, 0);
  assert.equal(new Uint8Array(r.bytes), sourceBytes('big'));
});

test('refuses to write binary to a terminal without -o; -o - forces it', async () => {
  const refused = await run(['asm', file('t.s', source)], '', true);
  assert.is(refused.code, 2);
  assert.match(refused.err, /refusing to write a binary filter to a terminal/);
  const forced = await run(['asm', file('t.s', source), '-o', '-'], '', true);
  assert.is(forced.code, 0);
  assert.is(forced.bytes.length, 48);
});

for (const order of ['little', 'big'] as const) {
  test(`disasm | asm reproduces the bytes of every test program (${order}-endian)`, async () => {
    for (const [name, program] of Object.entries(PROGRAMS)) {
      const bytes = encode(program, order);
      const listing = await run(['disasm', file(`${name}.${order}.bpf`, bytes)]);
      assert.is(listing.code, 0, listing.err);
      const back = await run(['asm', file(`${name}.${order}.s`, listing.out)]); // the listing carries the order
      assert.is(back.code, 0, back.err);
      assert.equal(new Uint8Array(back.bytes), bytes, name);
    }
  });
}

test('--format disasm of a big-endian (s390x) policy assembles back to the same bytes; --endian overrides .endian', async () => {
  const policy = file('s390.ts', `import { policy, allow, errno, arg } from 'seccompile';\nexport default policy({ default: errno(1), arch: ['s390x'], rules: [allow('read'), allow('write').when(arg(0).gt(2 ** 32))] });\n`);
  const bytes = await run(['compile', policy]);
  const listing = await run(['compile', policy, '--format', 'disasm']);
  assert.is(bytes.code + listing.code, 0, bytes.err + listing.err);
  assert.match(listing.out, /^; .*big-endian\n\.endian big\n/);
  const back = await run(['asm', file('s390.s', listing.out)]);
  assert.is(back.code, 0, back.err);
  assert.equal(new Uint8Array(back.bytes), new Uint8Array(bytes.bytes));
  const little = await run(['asm', file('s390-le.s', listing.out), '--endian', 'little']);
  assert.equal(new Uint8Array(little.bytes), encode(decode(bytes.bytes, 'big'), 'little'));
});

test('assembly mistakes: every one as FILE:LINE:COLUMN, exit 1, nothing written', async () => {
  const path = file('broken.s', 'ld [4]\nlda [0]\njeq #1, nowhere\nret #0\n');
  const out = join(dir, 'broken.bpf');
  const r = await run(['asm', path, '-o', out]);
  assert.is(r.code, 1);
  assert.match(r.err, `${path}:2:1: error: unknown mnemonic 'lda' [unknown-mnemonic]`);
  assert.match(r.err, `${path}:3:9: error: undefined label 'nowhere' [label-undefined]`);
  assert.not.ok(existsSync(out));
});

test('validator errors name the source line of the instruction', async () => {
  const path = file('invalid.s', '; header\n  ld [4]\n  ld [6]    ; misaligned\n  ret #0x7fff0000\n');
  const r = await run(['asm', path, '-o', join(dir, 'invalid.bpf')]);
  assert.is(r.code, 1);
  assert.match(r.err, /not a valid seccomp filter \(--no-validate writes it anyway\)/);
  assert.match(r.err, `${path}:3: instruction 1: `);
  assert.match(r.err, '[load_misaligned]');
  assert.match(r.err, '    3 | ld [6]');
});

test('--no-validate writes a program the kernel would reject', async () => {
  const r = await run(['asm', file('nv.s', 'ld [6]\nret #0\n'), '--no-validate', '-o', '-']);
  assert.is(r.code, 0);
  assert.equal(new Uint8Array(r.bytes), encode([{ code: 0x20, jt: 0, jf: 0, k: 6 }, { code: 0x06, jt: 0, jf: 0, k: 0 }]));
});

const usage: Array<[string, string[], RegExp]> = [
  ['missing FILE', ['asm'], /missing FILE.s/],
  ['bad --endian', ['asm', 'x.s', '--endian', 'pdp'], /--endian must be 'little' or 'big'/],
  ['-o without a value', ['asm', 'x.s', '-o'], /option requires argument: -o/],
];
for (const [name, argv, message] of usage) {
  test(`usage error: ${name}`, async () => {
    const r = await run(argv);
    assert.is(r.code, 2);
    assert.match(r.err, message);
  });
}

test.run();
