import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { validate } from '../../src/bpf/validate.js';
import { stmt, jump } from '../../src/bpf/isa.js';
import { AUDIT_ARCH, argWordOffset, type Endian } from '../../src/seccomp/abi.js';
import type { SeccompData } from '../../src/seccomp/data.js';

// Denies socket(AF_INET=2, ...) with EACCES on x86_64 when args[0]'s high word is 0; allows the rest.
const policy = (endian: Endian) =>
  validate([
    stmt(0x20, 4),
    jump(0x15, AUDIT_ARCH.AUDIT_ARCH_X86_64, 1, 0),
    stmt(0x06, 0x80000000),
    stmt(0x20, 0),
    jump(0x15, 41, 0, 5),
    stmt(0x20, argWordOffset(0, 'high', endian)),
    jump(0x15, 0, 0, 3),
    stmt(0x20, argWordOffset(0, 'low', endian)),
    jump(0x15, 2, 0, 1),
    stmt(0x06, 0x0005000d),
    stmt(0x06, 0x7fff0000),
  ]);

const call = (nr: number, args: bigint[], arch: number = AUDIT_ARCH.AUDIT_ARCH_X86_64): SeccompData => ({
  nr,
  arch,
  instructionPointer: 0n,
  args,
});

for (const endian of ['little', 'big'] as const) {
  const cases: Array<[string, SeccompData, string, number]> = [
    ['socket(AF_INET)', call(41, [2n, 1n]), 'errno', 9],
    ['socket(AF_UNIX)', call(41, [1n]), 'allow', 9],
    ['socket(2 + 2^32)', call(41, [2n + (1n << 32n)]), 'allow', 7],
    ['getpid', call(39, []), 'allow', 5],
    ['wrong arch', call(41, [2n], AUDIT_ARCH.AUDIT_ARCH_I386), 'kill_process', 3],
  ];
  for (const [name, data, kind, steps] of cases) {
    test(`${endian}: ${name} -> ${kind}`, () => {
      const r = evaluate(policy(endian), data, endian);
      assert.is(r.action.kind, kind);
      assert.is(r.steps, steps);
    });
  }
}

test('errno data is decoded and the evaluator batches in order', () => {
  const ev = new InterpreterEvaluator(policy('little'), 'little');
  const rs = ev.evaluateBatch([call(41, [2n]), call(39, [])]);
  assert.equal(rs[0], { ret: 0x0005000d, action: { kind: 'errno', errno: 13 }, steps: 9 });
  assert.equal(rs[1]!.action, { kind: 'allow' });
});

test('ERRNO data above MAX_ERRNO is capped as the kernel does', () => {
  const r = evaluate(validate([stmt(0x06, 0x0005ffff)]), call(0, []), 'little');
  assert.equal(r.action, { kind: 'errno', errno: 4095 });
  assert.is(r.ret, 0x0005ffff);
});

test.run();
