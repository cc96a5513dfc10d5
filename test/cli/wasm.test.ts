import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { validate } from '../../src/bpf/validate.js';
import { toWat } from '../../src/wasm/wat.js';
import { archDispatch } from '../support/programs.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-wasm-'));
const little = join(dir, 'f.bpf');
const big = join(dir, 'f-be.bpf');
writeFileSync(little, encode(archDispatch, 'little'));
writeFileSync(big, encode(archDispatch, 'big'));

async function wasm(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['wasm', ...argv], io);
  return { code, out: io.out(), err: io.err() };
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

test('--help, usage errors, invalid filters', async () => {
  const help = await wasm('--help');
  assert.is(help.code, 0);
  assert.match(help.out, /Usage: seccompile wasm FILE\.bpf/);
  assert.is((await wasm()).code, 2);
  assert.is((await wasm(little, '--endian', 'middle')).code, 2);
  const wrong = await wasm(little, '--endian', 'big');
  assert.is(wrong.code, 1);
  assert.match(wrong.err, /not a valid seccomp filter as big-endian/);
  const missing = await wasm(join(dir, 'nope.bpf'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /no such file/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
