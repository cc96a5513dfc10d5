/**
 * Inputs that are too large, endless or full of mistakes: every command reads at most what a
 * valid input can hold (plus one unit), lists at most 20 problems and counts the rest, and `eval`
 * keeps its memory bounded (it reads only as fast as a slow reader takes its output).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO, type CliIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { stmt, type Insn } from '../../src/bpf/isa.js';
import { MAX_CASE_LINE } from '../../src/cli/seccompile/commands/eval.js';
import { MAX_SHOWN_PROBLEMS } from '../../src/cli/seccompile/input.js';
import { resolvePolicy } from '../../src/launcher/seccomp/policy-source.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-limits-'));
const file = (name: string, data: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};
const link = (name: string, target: string) => {
  const path = join(dir, name);
  symlinkSync(target, path);
  return path;
};
const RET_ALLOW = stmt(0x06, 0x7fff0000);
const many = (n: number, insn: Insn) => Array.from({ length: n }, () => insn);

const tooLong = file('long.bpf', encode([...many(5000, stmt(0x20, 0)), RET_ALLOW], 'little'));
const zeroBpf = link('zero.bpf', '/dev/zero');
const allow = file('allow.bpf', encode([RET_ALLOW], 'little'));

async function run(argv: string[], stdin = '') {
  const io = memoryIO(stdin);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const TOO_LARGE = /larger than 4096 instructions \(32768 bytes\), the most the kernel accepts in a filter/;
const cases: Array<[string, string[], RegExp]> = [
  ['validate: 5,001 instructions', ['validate', tooLong], TOO_LARGE],
  ['validate: /dev/zero', ['validate', zeroBpf], TOO_LARGE],
  ['disasm: /dev/zero', ['disasm', zeroBpf], TOO_LARGE],
  ['eval: /dev/zero', ['eval', zeroBpf], TOO_LARGE],
  ['wasm: /dev/zero', ['wasm', zeroBpf], TOO_LARGE],
  ['diff with /dev/zero', ['diff', allow, zeroBpf], /larger than 4096 instructions/],
  ['asm: /dev/zero', ['asm', link('zero.s', '/dev/zero'), '-o', join(dir, 'out.bpf')], /larger than 1 MiB, the most seccompile reads of a BPF listing/],
  ['test: /dev/zero as the expectation file', ['test', allow, link('zero.jsonl', '/dev/zero')], /larger than 64 MiB, the most seccompile reads of an expectation file/],
  ['compile: /dev/zero as a profile', ['compile', link('zero.json', '/dev/zero'), '-o', join(dir, 'out.bpf')], /larger than 64 MiB, the most seccompile reads of a seccomp profile/],
];
for (const [name, argv, message] of cases) {
  test(`too large: ${name} -> exit 1, one clear line`, async () => {
    const r = await run(argv);
    assert.is(r.code, 1, r.err);
    assert.match(r.err, message);
    assert.is(r.err.trim().split('\n').length, 1, r.err);
  });
}

test('jail --policy /dev/zero.bpf is refused after 32 KiB', async () => {
  const e = await resolvePolicy(zeroBpf).then(() => undefined, (err: Error) => err);
  assert.ok(e);
  assert.match(e.message, /larger than 4096 instructions \(32768 bytes\)/);
});

test('validate -: stdin is read only up to the limit too', async () => {
  let asked: number | undefined;
  const io = memoryIO();
  const bounded: CliIO = { ...io, readStdin: async (max?: number) => ((asked = max), Buffer.alloc(Math.min(max ?? 1e9, 1e6))) };
  assert.is(await main(['validate', '-'], bounded), 1);
  assert.is(asked, 4096 * 8 + 1);
  assert.match(io.err(), /^seccompile validate: stdin: larger than 4096 instructions/);
});

// 4,096 instructions, each breaking a rule: unknown opcode 0xff..., last one not a return.
const allBad = file('all-bad.bpf', encode(many(4096, stmt(0xff, 0)), 'little'));

test('validate: 4,096 invalid instructions -> the first 20 problems with their context, then a count', async () => {
  const r = await run(['validate', allBad, '--endian', 'little']);
  assert.is(r.code, 1);
  const problems = r.err.split('\n').filter((l) => /^  instruction \d+:/.test(l));
  assert.is(problems.length, MAX_SHOWN_PROBLEMS);
  assert.match(r.err, /^  instruction 0: 0xff is not a classic BPF opcode \(unknown_opcode\)$/m);
  assert.match(r.err, /^      > *0: /m);
  assert.match(r.err, /^  \.\.\. and 4077 more problems$/m);
});

test('disasm: an invalid filter is listed whole, its problems capped', async () => {
  const r = await run(['disasm', allBad, '--endian', 'little']);
  assert.is(r.code, 1);
  assert.is(r.out.split('\n').filter((l) => /INVALID/.test(l)).length, 4096);
  assert.is(r.err.split('\n').filter((l) => /\[unknown_opcode\]/.test(l)).length, MAX_SHOWN_PROBLEMS);
  assert.match(r.err, /\.\.\. and 4077 more problems/);
});

test('asm: syntax errors and validator problems are capped', async () => {
  const garbage = file('garbage.s', Array.from({ length: 500 }, (_, i) => `bogus${i} #1`).join('\n') + '\n');
  const a = await run(['asm', garbage, '-o', join(dir, 'g.bpf')]);
  assert.is(a.code, 1);
  assert.is(a.err.split('\n').filter((l) => /garbage\.s:\d+:\d+:/.test(l)).length, MAX_SHOWN_PROBLEMS);
  assert.match(a.err, /\.\.\. and 480 more problems/);
  const invalid = file('invalid.s', Array.from({ length: 300 }, () => 'ld [1]').join('\n') + '\nret #0\n');
  const b = await run(['asm', invalid, '-o', join(dir, 'i.bpf')]);
  assert.is(b.code, 1);
  assert.is(b.err.split('\n').filter((l) => /invalid\.s:\d+: instruction/.test(l)).length, MAX_SHOWN_PROBLEMS);
  assert.match(b.err, /\.\.\. and 280 more problems/);
});

test('eval: an overlong line gets one error result; the next lines are answered', async () => {
  const huge = '{"arch":"x86_64","nr":' + ' '.repeat(MAX_CASE_LINE * 4) + '1}';
  const r = await run(['eval', allow], `${huge}\n{"arch":"x86_64","nr":1}\n`);
  assert.is(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0]!, new RegExp(`^\\{"error":"line 1: longer than ${MAX_CASE_LINE} characters`));
  assert.match(lines[1]!, /"action":"allow"/);
});

/**
 * A stdout whose reader is slow: write() returns false once more than `highWater` bytes wait,
 * and the reader takes one chunk a tick. Records the most bytes ever waiting.
 */
function slowStdout(highWater: number) {
  const events = new EventEmitter();
  const queue: number[] = [];
  let waiting = 0;
  let most = 0;
  let total = 0;
  const drainOne = () => {
    const n = queue.shift();
    if (n === undefined) return;
    waiting -= n;
    if (queue.length === 0) events.emit('drain');
    else setImmediate(drainOne);
  };
  return {
    write(chunk: string | Uint8Array) {
      const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      queue.push(n);
      waiting += n;
      total += n;
      most = Math.max(most, waiting);
      if (queue.length === 1) setImmediate(drainOne);
      return waiting < highWater;
    },
    once: (e: string, f: () => void) => events.once(e, f),
    off: (e: string, f: () => void) => events.off(e, f),
    most: () => most,
    total: () => total,
  };
}

test('eval: a slow reader of its output holds back its reading (bounded memory)', async () => {
  const lines = 60_000;
  let read = 0;
  const stdout = slowStdout(16 * 1024);
  const io: CliIO = {
    stdout,
    stderr: { write: () => true },
    readStdin: async () => Buffer.alloc(0),
    async *stdinLines() {
      for (; read < lines; read++) yield '{"arch":"x86_64","nr":1}';
    },
  };
  assert.is(await main(['eval', allow], io), 0);
  assert.is(read, lines);
  // All output was written, but never much more than one batch of it waited at once.
  assert.ok(stdout.total() > 40 * lines, String(stdout.total()));
  assert.ok(stdout.most() < 2 * 4096 * 60, `at most ${stdout.most()} bytes waited for the reader`);
});

test.run();
