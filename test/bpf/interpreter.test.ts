import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, Interpreter, SPECIALISE_AFTER_RUNS_PER_INSN, SPECIALISE_BUDGET } from '../../src/bpf/interpreter.js';
import { encodeSeccompData } from '../../src/seccomp/data.js';
import { makeRng, randomSeccompData, randomValidProgram } from '../support/random-program.js';
import { validate } from '../../src/bpf/validate.js';
import { stmt, jump, OPCODES } from '../../src/bpf/isa.js';
import { SEMANTICS_CASES as cases, data, view, RET_A } from '../support/semantics-cases.js';

for (const [name, insns, ret, steps] of cases) {
  test(name, () => {
    assert.equal(run(validate(insns), data, 'little'), { ret, steps });
    for (const specialise of [true, false]) {
      const it = new Interpreter(validate(insns), specialise);
      assert.equal({ ret: it.run(view, true), steps: it.steps }, { ret, steps }, specialise ? 'specialised' : 'loop');
    }
  });
}

test('a program within SPECIALISE_BUDGET runs specialised after its runs by the loop, a larger one never', () => {
  // n - 1 instructions `add #1` (20 each), then `ret a`
  const adds = (n: number) => validate([...Array.from({ length: n - 1 }, () => stmt(0x04, 1)), RET_A]);
  const most = Math.floor((SPECIALISE_BUDGET - 16) / 20) + 1;
  for (const [n, becomes] of [[2, true], [40, true], [most, true], [most + 1, false]] as const) {
    const it = new Interpreter(adds(n));
    const runs = n * SPECIALISE_AFTER_RUNS_PER_INSN;
    for (let i = 1; i <= runs; i++) {
      assert.is(it.run(view, true), n - 1);
      assert.is(it.steps, n);
      if (i === runs - 1) assert.not.ok(it.specialised, `${n} instructions: specialised after ${i} runs`);
    }
    assert.is(it.specialised, becomes, `${n} instructions after ${runs} runs`);
    assert.is(it.run(view, true), n - 1);
  }
  assert.ok(new Interpreter(adds(most + 1), true).specialised, 'specialise: true forces it');
  assert.not.ok(new Interpreter(adds(2), false).specialised);
});

test('specialised = loop on random valid programs, short and of 2,500-4,000 instructions (seeded)', () => {
  const rng = makeRng(1414);
  let compared = 0;
  for (let p = 0; p < 300; p++) {
    const program = validate(randomValidProgram(rng, p % 50 === 0 ? { length: 2500 + rng.int(1500) } : {}));
    const fast = new Interpreter(program, true);
    const loop = new Interpreter(program, false);
    for (let i = 0; i < 40; i++) {
      const le = rng.chance(0.5);
      const bytes = encodeSeccompData(randomSeccompData(rng), le ? 'little' : 'big');
      const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const want = loop.run(d, le);
      assert.is(fast.run(d, le), want, `program ${p}, input ${i}`);
      assert.is(fast.steps, loop.steps, `program ${p}, input ${i}: steps`);
      compared++;
    }
  }
  assert.is(compared, 300 * 40);
});

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
