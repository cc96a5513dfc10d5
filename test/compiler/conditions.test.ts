/**
 * Stage tests for ./tree.ts and ./conditions.ts without any BPF: a condition's tree, evaluated
 * directly over seccomp_data bytes, agrees with conditionHolds at and around its constant, in
 * both byte orders; folding removes tests that cannot vary; hash-consing shares equal subtrees.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TreeBuilder, FULL_MASK, readsOutside, type DecisionTree } from '../../src/compiler/tree.js';
import { conditionTree, rulesTree } from '../../src/compiler/conditions.js';
import { conditionHolds, decideRules } from '../../src/ir/semantics.js';
import { writeSeccompData } from '../../src/seccomp/data.js';
import { formatAction, type Endian } from '../../src/seccomp/abi.js';
import type { CmpOp, Condition } from '../../src/ir/types.js';
import { ALLOW, cond, errno, interestingValues, rule } from './fixtures.js';

function evalTree(tree: DecisionTree, view: DataView, little: boolean): DecisionTree & { kind: 'return' } {
  let t = tree;
  while (t.kind === 'test') {
    const w = (view.getUint32(t.offset, little) & t.mask) >>> 0;
    const hit = t.op === 'jeq' ? w === t.k : t.op === 'jgt' ? w > t.k : t.op === 'jge' ? w >= t.k : (w & t.k) !== 0;
    t = hit ? t.then : t.else;
  }
  return t;
}

/** Number of tests on the longest path. */
function depth(t: DecisionTree): number {
  return t.kind === 'return' ? 0 : 1 + Math.max(depth(t.then), depth(t.else));
}

const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;
const OPS: CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const CONSTANTS = [0n, 1n, 5n, U32 - 1n, U32, U32 + 1n, 0x1_0000_0005n, 0xffff_ffff_0000_0000n, U64 - 1n, U64];

const conditions: Condition[] = [];
for (const op of OPS) {
  for (const v of CONSTANTS) {
    conditions.push(cond(2, op, v));
    if (v <= U32) conditions.push(cond(2, op, v, 32));
  }
}
for (const [m, v] of [[0xff_ff00_0000n, 0x12_3400_0000n], [U64, 7n], [0n, 0n], [1n << 63n, 1n << 63n], [3n, 5n], [0xf0n, 0n], [0x8000_0000n, 0x8000_0000n]] as const) {
  conditions.push(cond(2, 'masked_eq', v, 64, m));
  if (m <= U32) conditions.push(cond(2, 'masked_eq', v, 32, m));
}

for (const endian of ['little', 'big'] as Endian[]) {
  test(`every op at every edge, ${endian}-endian: tree = conditionHolds`, () => {
    const view = new DataView(new ArrayBuffer(64));
    let checked = 0;
    for (const c of conditions) {
      const b = new TreeBuilder();
      const t = conditionTree(b, c, endian, b.leaf(ALLOW), b.leaf(errno(1)));
      assert.ok(depth(t) <= 3, `${c.op} ${c.value} width ${c.width}: ${depth(t)} tests`);
      for (const x of interestingValues(c)) {
        writeSeccompData(view, { nr: 0, arch: 0, instructionPointer: 0n, args: [0n, 0n, x] }, endian);
        const got = evalTree(t, view, endian === 'little').action.kind === 'allow';
        assert.is(got, conditionHolds(c, [0n, 0n, x]), `${c.op}(0x${c.value.toString(16)}, w${c.width}, mask ${c.mask}) on 0x${x.toString(16)}`);
        checked++;
      }
    }
    assert.ok(checked > 1000);
  });
}

test('folding: conditions that cannot vary give no test', () => {
  const b = new TreeBuilder();
  const T = b.leaf(ALLOW);
  const F = b.leaf(errno(1));
  const table: [Condition, DecisionTree][] = [
    [cond(0, 'gt', U64), F],
    [cond(0, 'ge', 0), T],
    [cond(0, 'lt', 0), F],
    [cond(0, 'le', U64), T],
    [cond(0, 'gt', U32, 32), F],
    [cond(0, 'masked_eq', 0, 64, 0), T],
    [cond(0, 'masked_eq', 5, 64, 3), F],
  ];
  for (const [c, want] of table) assert.is(conditionTree(b, c, 'little', T, F), want, `${c.op} ${c.value}`);
});

test('width 32 reads only the low half; 64 reads both', () => {
  const b = new TreeBuilder();
  const t32 = conditionTree(b, cond(1, 'eq', 7, 32), 'little', b.leaf(ALLOW), b.leaf(errno(1)));
  assert.ok(!readsOutside(t32, new Set([24])), 'low half of args[1] at 24');
  const t64 = conditionTree(b, cond(1, 'eq', 7), 'little', b.leaf(ALLOW), b.leaf(errno(1)));
  assert.ok(readsOutside(t64, new Set([24])) && !readsOutside(t64, new Set([24, 28])));
  const big = conditionTree(b, cond(1, 'eq', 7, 32), 'big', b.leaf(ALLOW), b.leaf(errno(1)));
  assert.ok(!readsOutside(big, new Set([28])), 'big-endian: low half of args[1] at 28');
});

test('masked tests become JSET when that saves the AND', () => {
  const b = new TreeBuilder();
  const t = conditionTree(b, cond(0, 'masked_eq', 0, 32, 0xf0), 'little', b.leaf(ALLOW), b.leaf(errno(1)));
  assert.is(t.kind === 'test' && t.op, 'jset');
  assert.is(t.kind === 'test' && t.mask, FULL_MASK);
  const bit = conditionTree(b, cond(0, 'masked_eq', 8, 32, 8), 'little', b.leaf(ALLOW), b.leaf(errno(1)));
  assert.is(bit.kind === 'test' && bit.op, 'jset');
});

test('hash-consing: equal rule lists give the same tree object', () => {
  const b = new TreeBuilder();
  const rules = () => [rule(ALLOW, cond(0, 'eq', 1)), rule(errno(2), cond(1, 'gt', 5))];
  assert.is(rulesTree(b, rules(), errno(1), 'little'), rulesTree(b, rules(), errno(1), 'little'));
  assert.is.not(rulesTree(b, rules(), errno(1), 'little'), rulesTree(b, rules(), errno(3), 'little'));
});

test('rulesTree: first match wins, shadowed rules vanish', () => {
  const b = new TreeBuilder();
  const rules = [rule(errno(2), cond(0, 'eq', 1)), rule(errno(3), cond(0, 'eq', 1)), rule(ALLOW)];
  const t = rulesTree(b, rules, errno(1), 'little');
  const view = new DataView(new ArrayBuffer(64));
  for (const a0 of [0n, 1n, 2n, 1n << 32n, (1n << 32n) + 1n]) {
    writeSeccompData(view, { nr: 0, arch: 0, instructionPointer: 0n, args: [a0] }, 'little');
    assert.is(formatAction(evalTree(t, view, true).action), formatAction(decideRules(rules, errno(1), [a0])));
  }
  const unconditional = rulesTree(b, [rule(ALLOW), rule(errno(2), cond(0, 'eq', 1))], errno(1), 'little');
  assert.is(unconditional, b.leaf(ALLOW));
});

test('readsOutside: a chain 200,000 tests deep, without a stack overflow', () => {
  const b = new TreeBuilder();
  let t: DecisionTree = b.leaf(ALLOW);
  for (let i = 0; i < 200_000; i++) t = b.test(16, FULL_MASK, 'jeq', i, b.leaf(errno(1)), t);
  assert.is(readsOutside(t, new Set([16])), false);
  const loadsArg1 = b.test(24, FULL_MASK, 'jeq', 7, b.leaf(errno(2)), b.leaf(ALLOW));
  let u: DecisionTree = loadsArg1;
  for (let i = 0; i < 200_000; i++) u = b.test(16, FULL_MASK, 'jeq', i, b.leaf(errno(1)), u);
  assert.is(readsOutside(u, new Set([16])), true);
});

test.run();
