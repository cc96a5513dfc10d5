import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  makeRng,
  randomValidProgram,
  randomInvalidProgram,
  randomSeccompData,
  mutateProgram,
  INVALID_RULES,
} from './random-program.js';
import { check, validate } from '../../src/bpf/validate.js';
import { OPCODES } from '../../src/bpf/isa.js';
import { run } from '../../src/bpf/interpreter.js';
import { encodeSeccompData } from '../../src/seccomp/data.js';

test('the PRNG replays from its seed', () => {
  const a = makeRng(42);
  const b = makeRng(42);
  const xs = Array.from({ length: 100 }, () => a.u32());
  assert.equal(xs, Array.from({ length: 100 }, () => b.u32()));
  assert.ok(new Set(xs).size > 95);
});

test('valid programs are valid and use every seccomp opcode, long jumps and divisions by zero', () => {
  const rng = makeRng(1);
  const codes = new Set<number>();
  let longJumps = 0;
  let divByZero = 0;
  for (let i = 0; i < 2000; i++) {
    const p = randomValidProgram(rng);
    assert.equal(check(p), [], `program ${i}`);
    for (const ins of p) {
      codes.add(ins.code);
      if (ins.code === 0x05 && ins.k > 255) longJumps++;
    }
    const r = run(validate(p), encodeSeccompData(randomSeccompData(rng), 'little'), 'little');
    if (r.ret === 0 && p.some((ins) => ins.code === 0x3c)) divByZero++;
  }
  assert.equal(OPCODES.filter((o) => o.seccomp && !codes.has(o.code)).map((o) => o.code), []);
  assert.ok(longJumps > 10, `long jumps: ${longJumps}`);
  assert.ok(divByZero > 10, `divisions by zero X: ${divByZero}`);
});

test("'errno' programs return only distinct ERRNO values", () => {
  const rng = makeRng(2);
  for (let i = 0; i < 500; i++) {
    const p = randomValidProgram(rng, { returns: 'errno', loadInstructionPointer: false });
    assert.equal(check(p), []);
    const rets = p.filter((x) => x.code === 0x16 || x.code === 0x06).map((x) => x.k);
    assert.ok(rets.every((k) => k >>> 16 === 0x5), 'errno only');
    assert.is(new Set(rets).size, rets.length, 'distinct');
    assert.not.ok(p.some((x) => x.code === 0x20 && (x.k === 8 || x.k === 12)), 'no instruction_pointer load');
  }
});

test('invalid programs break the rule they name', () => {
  const rng = makeRng(3);
  for (const rule of INVALID_RULES) {
    for (let i = 0; i < 30; i++) {
      const { program } = randomInvalidProgram(rng, rule);
      assert.ok(check(program).some((e) => e.code === rule), rule);
    }
  }
});

test('mutations are sometimes valid, sometimes not', () => {
  const rng = makeRng(4);
  let valid = 0;
  for (let i = 0; i < 500; i++) if (check(mutateProgram(rng, randomValidProgram(rng))).length === 0) valid++;
  assert.ok(valid > 50 && valid < 450, `valid mutations: ${valid}`);
});

test.run();
