import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, Interpreter } from '../../src/bpf/interpreter.js';
import { validate } from '../../src/bpf/validate.js';
import { stmt, jump, OPCODES } from '../../src/bpf/isa.js';
import { SEMANTICS_CASES as cases, data, view, RET_A } from '../support/semantics-cases.js';

for (const [name, insns, ret, steps] of cases) {
  test(name, () => {
    assert.equal(run(validate(insns), data, 'little'), { ret, steps });
  });
}

test('every seccomp opcode has a semantics case', () => {
  const covered = new Set(cases.flatMap(([, insns]) => insns.map((i) => i.code)));
  const missing = OPCODES.filter((o) => o.seccomp && !covered.has(o.code)).map((o) => `0x${o.code.toString(16)}`);
  assert.equal(missing, []);
});

test('ld [k] reads in the given byte order', () => {
  const p = validate([stmt(0x20, 4), RET_A]);
  assert.is(run(p, data, 'little').ret, 0xa0b0c001);
  assert.is(run(p, data, 'big').ret, 0x01c0b0a0);
  assert.is(run(p, view, 'little').ret, 0xa0b0c001);
});

test('a prepared interpreter is reusable and tracks steps of the last run', () => {
  const it = new Interpreter(validate([stmt(0x20, 0), jump(0x15, 1, 0, 1), stmt(0x06, 10), stmt(0x06, 20)]));
  const d = new DataView(new ArrayBuffer(64));
  d.setUint32(0, 1, true);
  assert.is(it.run(d, true), 10);
  d.setUint32(0, 2, true);
  assert.is(it.run(d, true), 20);
  assert.is(it.steps, 3);
});

test('short data is refused', () => {
  assert.throws(() => run(validate([stmt(0x06, 0)]), new Uint8Array(8), 'little'), /8 bytes/);
});

test.run();
