import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { validate } from '../../src/bpf/validate.js';
import { toWat } from '../../src/wasm/wat.js';
import { encodeModule } from '../../src/wasm/binary.js';
import { emitModule } from '../../src/wasm/emit.js';
import { archDispatch } from '../support/programs.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-wasm-'));
const little = join(dir, 'f.bpf');
const big = join(dir, 'f-be.bpf');
writeFileSync(little, encode(archDispatch, 'little'));
writeFileSync(big, encode(archDispatch, 'big'));

async function wasm(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['wasm', ...argv], io);
  return { code, out: io.out(), err: io.err(), bytes: io.outBytes() };
}

test('prints the WebAssembly text of the filter, in its detected byte order', async () => {
  const l = await wasm(little);
  assert.is(l.code, 0, l.err);
  assert.is(l.out, toWat(validate(archDispatch)));
  const b = await wasm(big);
  assert.is(b.out, toWat(validate(archDispatch), { endian: 'big' }));
  assert.match(b.out, /big-endian/);
  assert.match(l.out, /;; 1: jeq #0xc000003e, L4/);
});

test('-o writes the binary the JIT runs (- to stdout); --wabt prints wabt\'s disassembly of it', async () => {
  const expected = encodeModule(emitModule(validate(archDispatch), { endian: 'big' }));
  const file = join(dir, 'f.wasm');
  const written = await wasm(big, '-o', file);
  assert.is(written.code, 0, written.err);
  assert.is(written.out, '');
  assert.equal(new Uint8Array(readFileSync(file)), expected);
  const piped = await wasm(big, '--output', '-');
  assert.equal(new Uint8Array(piped.bytes), expected);
  const dis = await wasm(little, '--wabt');
  assert.is(dis.code, 0, dis.err);
  assert.match(dis.out, /^\(module\n  \(type \(;0;\) \(func \(param i32 i32 i32\)\)\)/);
  assert.match(dis.out, /\(export "run_steps"\)/);
  assert.match(dis.out, /i32\.const -1073741762\n/, 'AUDIT_ARCH_X86_64 as wabt spells an i32');
  assert.not.match(dis.out, /;; \d+: /);
});

test('--help, usage errors, invalid filters', async () => {
  const help = await wasm('--help');
  assert.is(help.code, 0);
  assert.match(help.out, /Usage: seccompile wasm FILE\.bpf/);
  assert.is((await wasm()).code, 2);
  assert.is((await wasm(little, '--endian', 'middle')).code, 2);
  const both = await wasm(little, '--wabt', '-o', join(dir, 'x.wasm'));
  assert.is(both.code, 2);
  assert.match(both.err, /give one of them/);
  const unwritable = await wasm(little, '-o', join(dir, 'no-such-dir', 'x.wasm'));
  assert.is(unwritable.code, 1);
  assert.match(unwritable.err, /cannot write .*x\.wasm/);
  const wrong = await wasm(little, '--endian', 'big');
  assert.is(wrong.code, 1);
  assert.match(wrong.err, /not a valid seccomp filter as big-endian/);
  const missing = await wasm(join(dir, 'nope.bpf'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /no such file/);
});

test('bin/seccompile wasm (the built CLI loads wabt from its chunk)', () => {
  const run = (...argv: string[]) => execFileSync('bin/seccompile', ['wasm', little, ...argv], { encoding: 'utf8' });
  assert.is(run(), toWat(validate(archDispatch)));
  assert.match(run('--wabt'), /\(func \(;1;\) \(export "run_steps"\)/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
