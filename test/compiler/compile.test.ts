/**
 * compile() end to end on hand-built IR fixtures: the compiled program decides as the IR's
 * semantics on every nr and around every constant (differential), argument-independent
 * syscalls load no argument, output is deterministic, limits and errors are reported.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, encodeFilter, CompileError } from '../../src/compiler/index.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { FIXTURES, longJumps, tooLong, policyIR, section, rule, ALLOW, KILL, errno, cond } from './fixtures.js';
import { differential, describe } from './differential.js';

for (const [name, make] of Object.entries(FIXTURES)) {
  test(`${name}: compiled filter = IR semantics`, () => {
    const ir = make();
    const result = compile(ir);
    const report = differential(ir, result.program, result.endian);
    assert.ok(report.cases > 500, `only ${report.cases} cases`);
    assert.is(describe(report), '', 'mismatches');
    assert.equal(report.argLoads, [], 'argument-independent syscalls loaded an argument');
  });
  test(`${name}: deterministic (two compilations, same bytes)`, () => {
    const a = encodeFilter(compile(make()));
    const b = encodeFilter(compile(make()));
    assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  });
}

test('long jumps: over 255 instructions, trampolines or return copies, still exact', () => {
  const ir = longJumps(150);
  const r = compile(ir);
  assert.ok(r.stats.instructions > 600, `${r.stats.instructions} instructions`);
  assert.ok(r.stats.trampolines + r.stats.returnCopies > 0, 'expected far jumps');
  assert.ok(r.program.some((i) => i.code === 0x05), 'expected a JA trampoline');
  assert.is(describe(differential(ir, r.program, r.endian)), '');
});

test('over 4096 instructions: CompileError naming the size', () => {
  try {
    compile(tooLong());
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, CompileError);
    assert.is((e as CompileError).code, 'too_long');
    assert.match((e as Error).message, /has \d{4,} instructions, more than the 4096/);
  }
});

test('maxInstructions option lowers the limit', () => {
  assert.throws(() => compile(longJumps(10), { maxInstructions: 20 }), /more than the 20/);
});

test('mixed byte orders: CompileError', () => {
  const ir = policyIR(KILL, section('x86_64', { rules: {} }), section('s390x', { rules: {} }));
  assert.throws(() => compile(ir), (e: unknown) => e instanceof CompileError && e.code === 'mixed_endian' && /s390x \(big-endian\)/.test(e.message));
});

test('big-endian target: output bytes are big-endian', () => {
  const r = compile(policyIR(KILL, section('s390x', { rules: { read: [rule(ALLOW)] } })));
  assert.is(r.endian, 'big');
  const bytes = encodeFilter(r);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.is(view.getUint16(0, false), r.program[0]!.code);
  assert.is(view.getUint32(4, false), r.program[0]!.k);
});

test('no sections: every syscall gets badArch', () => {
  const r = compile(policyIR(errno(5)));
  assert.equal(r.program, [{ code: 0x06, jt: 0, jf: 0, k: 0x00050005 }]);
});

test('x86_64 only: x32 numbers get badArch, never an x86_64 rule', () => {
  const ir = policyIR(errno(111), section('x86_64', { default: ALLOW, rules: { read: [rule(KILL)] } }));
  const r = compile(ir);
  const x = ARCHES.x86_64.auditArch;
  const act = (nr: number) => evaluate(r.program, { arch: x, nr, args: [], instructionPointer: 0n }, 'little').action;
  assert.equal(act(0), KILL);
  assert.equal(act(0x40000000), errno(111));
  assert.equal(act(0x40000000 + 1), errno(111));
  assert.equal(act(0xffffffff), errno(111));
  assert.equal(act(1), ALLOW);
});

test('stats: instruction count and per-arch range counts', () => {
  const ir = policyIR(
    KILL,
    section('x86_64', { rules: { read: [rule(ALLOW)], write: [rule(ALLOW)], close: [rule(ALLOW)], socket: [rule(ALLOW, cond(0, 'eq', 1))] } }),
    section('x32', { rules: {} }),
  );
  const r = compile(ir);
  assert.is(r.stats.instructions, r.program.length);
  // x86_64: [0,2) read+write, 2 open, 3 close, [4,41), 41 socket, [42, 471], newer; x32: default
  // (its common calls), newer (472..511), default (its own calls 512..547), newer.
  assert.is(r.stats.ranges.x86_64, 7);
  assert.is(r.stats.ranges.x32, 4);
  assert.is(r.stats.argumentDependent.x86_64, 1);
  assert.is(r.stats.argumentDependent.x32, 0);
});

test('executed path: log2(ranges) jumps for an argument-independent syscall', () => {
  const rules: Record<string, ReturnType<typeof rule>[]> = {};
  for (let nr = 0; nr < 400; nr += 2) rules[String(nr)] = [rule(ALLOW)]; // ~400 ranges
  const ir = policyIR(KILL, section('x86_64', { rules }));
  const r = compile(ir);
  const ranges = r.stats.ranges.x86_64!;
  let worst = 0;
  for (let nr = 0; nr < 420; nr++) {
    const e = evaluate(r.program, { arch: ARCHES.x86_64.auditArch, nr, args: [], instructionPointer: 0n }, 'little');
    worst = Math.max(worst, e.steps);
  }
  // ld arch, jeq arch, ld nr, search, (trampoline), ret
  assert.ok(worst <= 4 + Math.ceil(Math.log2(ranges)) + 2, `worst ${worst} steps for ${ranges} ranges`);
});

test('a background decision with few single-number exceptions becomes a JEQ chain', () => {
  const ir = policyIR(KILL, section('aarch64', { default: ALLOW, newer: ALLOW, rules: { socket: [rule(errno(97))], connect: [rule(errno(97))], io_uring_setup: [rule(errno(38))] } }));
  const r = compile(ir);
  assert.is(r.stats.searchDepth.aarch64, 3);
  const nrTests = r.program.filter((i) => i.code === 0x15 || i.code === 0x35).slice(1); // after the arch check
  assert.equal(nrTests.map((i) => i.code), [0x15, 0x15, 0x15]);
  assert.is(r.program.length, 3 + 3 + 4); // ld arch, jeq arch, ld nr; 3 jeq; ret errno(97), errno(38), allow, kill
});

test('x86_64 + x32 with many ranges each: the x32 bit is tested first', () => {
  const rules = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(2 * i), [rule(ALLOW)]]));
  const ir = policyIR(KILL, section('x86_64', { rules: rules(60) }), section('x32', { rules: rules(60) }));
  const r = compile(ir);
  const firstNrTest = r.program.find((i, pc) => pc > 2 && (i.code & 0x07) === 0x05)!;
  assert.equal([firstNrTest.code, firstNrTest.k], [0x35, 0x40000000]);
  assert.is(r.stats.searchDepth.x86_64, 1 + Math.ceil(Math.log2(r.stats.ranges.x86_64!)));
});

test.run();
