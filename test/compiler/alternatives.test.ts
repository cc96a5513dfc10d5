/**
 * Runs of equality alternatives (src/compiler/alternatives.ts) decide exactly as the rules one by
 * one, in both layouts: table cases for each shape (one high word or several, 32-bit, repeated
 * values with different actions, neighbouring values, runs next to other rules) and seeded
 * random runs; and the sizes the grouping is for: thousands of alternatives in one filter, with
 * a searched path in the balanced layout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compiler/index.js';
import type { ArgumentLayout } from '../../src/compiler/alternatives.js';
import { CodeGen } from '../../src/compiler/codegen.js';
import { dispatch } from '../../src/compiler/dispatch.js';
import { lower } from '../../src/compiler/lower.js';
import { TreeBuilder } from '../../src/compiler/tree.js';
import { validate, type Program } from '../../src/bpf/validate.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';
import type { PolicyIR, Rule } from '../../src/ir/types.js';
import { makeRng } from '../support/random-program.js';
import { differential, describe } from './differential.js';
import { ALLOW, KILL, cond, errno, policyIR, rule, section, trap } from './fixtures.js';

const HI = 1n << 32n;
const U64 = (1n << 64n) - 1n;

function build(ir: PolicyIR, layout: ArgumentLayout): Program {
  const cg = new CodeGen();
  return validate(cg.emit(lower(cg, dispatch(new TreeBuilder(), ir, layout).root)));
}

const eqs = (arg: number, values: ReadonlyArray<bigint | number>, action = ALLOW, width: 32 | 64 = 64): Rule[] =>
  values.map((v) => rule(action, cond(arg, 'eq', v, width)));

const cases: Array<[string, Record<string, Rule[]>]> = [
  ['sparse values, one high word', { read: eqs(0, [3, 9, 100, 7, 0xffffffff, 0, 55, 1 << 20, 12345]) }],
  ['neighbouring values merge', { read: eqs(0, [1, 2, 3, 4, 5, 6, 10, 11, 12]) }],
  ['several high words', { read: eqs(0, [1n, HI + 1n, HI * 5n + 1n, 7n, HI + 2n, U64, U64 - 1n, HI - 1n, HI]) }],
  ['32-bit alternatives', { read: eqs(1, [0, 1, 0xffffffff, 77, 0x80000000], errno(3), 32) }],
  ['repeated values: the first rule wins', {
    read: [...eqs(0, [5, 6], errno(1)), ...eqs(0, [6, 7, 5], errno(2)), rule(errno(4), cond(0, 'eq', 8))],
  }],
  ['mixed actions on neighbours', { read: [1, 2, 3, 4, 5, 6, 7, 8].map((v) => rule(v % 2 ? ALLOW : trap(v), cond(0, 'eq', v))) }],
  ['runs between other rules', {
    read: [
      rule(errno(9), cond(0, 'lt', 2)),
      ...eqs(0, [3, 4, 9]),
      rule(KILL, cond(1, 'eq', 1), cond(0, 'eq', 10)),
      ...eqs(1, [3, 4, 9], errno(2)),
      ...eqs(1, [3, 4, 9], errno(5), 32),
      rule(ALLOW),
      ...eqs(0, [11, 12]),
    ],
  }],
  ['64-bit after 32-bit on one argument', { read: [...eqs(0, [1, 2], errno(1), 32), ...eqs(0, [HI + 1n, 2n, 3n], errno(2))] }],
  // Rules alike but for one equality, with other conditions they share (what in() is written as).
  ['shared conditions before the equality', { read: [5, 9, HI + 9n, 0].map((v) => rule(ALLOW, cond(0, 'eq', 3), cond(1, 'eq', v))) }],
  ['shared conditions after the equality', { read: [5, 9, 0xffffffff, 5].map((v, i) => rule(i % 2 ? errno(1) : ALLOW, cond(1, 'eq', v, 32), cond(0, 'gt', 2), cond(2, 'ne', HI))) }],
  ['runs that share different conditions, back to back', {
    read: [
      ...[5, 6].map((v) => rule(ALLOW, cond(0, 'eq', 1), cond(1, 'eq', v))),
      ...[5, 6].map((v) => rule(errno(2), cond(0, 'eq', 2), cond(1, 'eq', v))),
      ...[1, 2].map((v) => rule(errno(3), cond(0, 'eq', v), cond(1, 'eq', 6))),
    ],
  }],
  ['the same rule twice, then alternatives', { read: [rule(errno(1), cond(0, 'eq', 4), cond(1, 'lt', 9)), ...[4, 4, 5].map((v) => rule(ALLOW, cond(0, 'eq', v), cond(1, 'lt', 9)))] }],
  ['shared masked condition', { read: [7, 8, 9].map((v) => rule(ALLOW, cond(2, 'masked_eq', 0x10, 64, 0x30n), cond(0, 'eq', v, 32))) }],
];

for (const [name, rules] of cases) {
  for (const arch of ['x86_64', 's390x'] as const) {
    const ir = policyIR(KILL, section(arch, { rules }));
    for (const layout of ['balanced', 'dense'] as const) {
      test(`${name} (${arch}, ${layout}): filter = rules one by one`, () => {
        const program = build(ir, layout);
        const report = differential(ir, program, ARCHES[arch].endian);
        assert.is(describe(report), '');
        assert.equal(report.argLoads, []);
      });
    }
  }
}

test('random runs: filter = rules one by one, both layouts', () => {
  const rng = makeRng(4096);
  const pool = [0n, 1n, 2n, 3n, 0xffffffffn, HI, HI + 1n, HI + 3n, U64, 1n << 63n, 0x1234n];
  const actions = [ALLOW, errno(1), errno(2), trap(1), KILL];
  for (let round = 0; round < 25; round++) {
    const rules: Rule[] = [];
    for (let n = 2 + rng.int(6); n > 0; n--) {
      const arg = rng.int(2);
      const width = rng.chance(0.3) ? 32 : 64;
      if (rng.chance(0.15)) rules.push(rule(rng.pick(actions), cond(arg, rng.pick(['lt', 'ne'] as const), rng.pick(pool) & (width === 32 ? 0xffffffffn : U64), width)));
      for (let k = rng.int(6); k > 0; k--) rules.push(rule(rng.pick(actions), cond(arg, 'eq', rng.pick(pool) & (width === 32 ? 0xffffffffn : U64), width)));
    }
    const ir = policyIR(KILL, section('x86_64', { default: errno(7), rules: { read: rules, write: rules.slice(0, 3) } }));
    for (const layout of ['balanced', 'dense'] as const) {
      const report = differential(ir, build(ir, layout), 'little');
      assert.is(describe(report), '', `round ${round}, ${layout}`);
    }
  }
});

test('random runs that share other conditions: filter = rules one by one, both layouts', () => {
  const rng = makeRng(8192);
  const pool = [0n, 1n, 2n, 3n, 0xffffffffn, HI, HI + 1n, U64, 0x1234n];
  const actions = [ALLOW, errno(1), errno(2), trap(1), KILL];
  const ops = ['eq', 'ne', 'lt', 'gt', 'ge', 'le'] as const;
  for (let round = 0; round < 40; round++) {
    const rules: Rule[] = [];
    for (let n = 1 + rng.int(4); n > 0; n--) {
      const width = rng.chance(0.3) ? 32 : 64;
      const mask = width === 32 ? 0xffffffffn : U64;
      const shared = Array.from({ length: rng.int(3) }, () => cond(rng.int(3), rng.pick(ops), rng.pick(pool) & mask, width));
      const at = rng.int(shared.length + 1);
      const arg = rng.int(3);
      for (let k = 1 + rng.int(6); k > 0; k--) {
        const conditions = [...shared];
        conditions.splice(at, 0, cond(arg, 'eq', rng.pick(pool) & mask, width));
        rules.push(rule(rng.pick(actions), ...conditions));
      }
    }
    const ir = policyIR(KILL, section('x86_64', { default: errno(7), rules: { read: rules } }));
    for (const layout of ['balanced', 'dense'] as const) {
      const report = differential(ir, build(ir, layout), 'little');
      assert.is(describe(report), '', `round ${round}, ${layout}`);
    }
  }
});

test('1,000 alternatives that share a condition test it once: about one instruction each', () => {
  const values = Array.from({ length: 1000 }, (_, k) => BigInt((k * 2654435761) % 2 ** 32));
  const ir = policyIR(KILL, section('x86_64', { rules: { read: values.map((v) => rule(ALLOW, cond(0, 'eq', 3), cond(1, 'eq', v))) } }));
  const r = compile(ir);
  assert.ok(r.program.length < 1300, `${r.program.length} instructions`);
  assert.is(describe(differential(ir, r.program, 'little')), '');
});

/** Instructions executed for `read` with args[0] = v. */
function steps(program: Program, v: bigint): number {
  const ev = new InterpreterEvaluator(program, 'little');
  return ev.evaluateOne({ arch: ARCHES.x86_64.auditArch, nr: 0, args: [v], instructionPointer: 0n }).steps;
}

test('4,000 sparse alternatives below 2^32 fit one filter; the balanced layout searches', () => {
  const values = Array.from({ length: 4000 }, (_, k) => BigInt((k * 2654435761) % 2 ** 32));
  const ir = policyIR(KILL, section('x86_64', { rules: { read: eqs(0, values) } }));
  const r = compile(ir);
  assert.ok(r.program.length <= 4096, `${r.program.length} instructions`);
  const ev = new InterpreterEvaluator(r.program, 'little');
  for (const v of [values[0]!, values[1234]!, values[3999]!]) {
    assert.is(ev.evaluateOne({ arch: ARCHES.x86_64.auditArch, nr: 0, args: [v], instructionPointer: 0n }).action.kind, 'allow');
  }
  assert.is(ev.evaluateOne({ arch: ARCHES.x86_64.auditArch, nr: 0, args: [HI + values[5]!], instructionPointer: 0n }).action.kind, 'errno');

  // 1,000 of them fit the balanced layout: its longest path is a search, not a chain.
  const small = policyIR(KILL, section('x86_64', { rules: { read: eqs(0, values.slice(0, 1000)) } }));
  const balanced = compile(small).program;
  assert.ok(balanced.length < 1300, `${balanced.length} instructions`);
  const worst = Math.max(...values.slice(0, 1000).map((v) => steps(balanced, v)), steps(balanced, 2n ** 32n - 1n));
  assert.ok(worst <= 40, `longest path ${worst}`);
  const largest = values.slice(0, 1000).reduce((a, b) => (a > b ? a : b));
  assert.ok(steps(build(small, 'dense'), largest) > 900, 'the dense layout is one chain (sorted by value)');
});

test.run();
