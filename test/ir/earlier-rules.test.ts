/**
 * EarlierRules answers exactly what a scan of every earlier rule with implies() answers (the
 * shadowed-rule check's old form), on a table of cases that exercise each branch of its index and
 * on seeded random rule lists; and normalize's shadowed-rule warnings for such lists name the same
 * earlier rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EarlierRules } from '../../src/ir/earlier-rules.js';
import { implies } from '../../src/ir/implication.js';
import type { CmpOp, Condition } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';
import { allow, arg, errno, kill, policy } from '../../src/dsl/index.js';
import { normalize } from '../../src/ir/normalize.js';
import { makeRng } from '../support/random-program.js';

const c = (arg: number, op: CmpOp, value: bigint, width: 32 | 64 = 64, mask?: bigint): Condition => condition(arg, op, width, value, mask);

/** The reference: the first earlier rule whose conditions `conds` imply. */
function linear(earlier: readonly (readonly Condition[])[], conds: readonly Condition[]): number | undefined {
  const i = earlier.findIndex((k) => implies(conds, k));
  return i < 0 ? undefined : i;
}

function indexed(earlier: readonly (readonly Condition[])[], conds: readonly Condition[]): number | undefined {
  const rules = new EarlierRules<number>();
  earlier.forEach((k, i) => rules.add(k, i));
  return rules.firstImplied(conds);
}

const HI = 1n << 32n;
// [name, earlier rules, the later rule, index of the first earlier rule it implies]
const table: Array<[string, Condition[][], Condition[], number | undefined]> = [
  ['no earlier rules', [], [c(0, 'eq', 1n)], undefined],
  ['disjoint equalities', [[c(0, 'eq', 1n)], [c(0, 'eq', 2n)]], [c(0, 'eq', 3n)], undefined],
  ['the same equality', [[c(0, 'eq', 1n)], [c(0, 'eq', 2n)]], [c(0, 'eq', 2n)], 1],
  ['first of two equal rules', [[c(0, 'eq', 5n)], [c(0, 'eq', 5n)]], [c(0, 'eq', 5n)], 0],
  ['an unconditional rule before the equality', [[c(0, 'eq', 5n)], [], [c(0, 'eq', 6n)]], [c(0, 'eq', 6n)], 1],
  ['a range before the equality', [[c(0, 'lt', 10n)], [c(0, 'eq', 6n)]], [c(0, 'eq', 6n)], 0],
  ['equality on another argument', [[c(1, 'eq', 1n)]], [c(0, 'eq', 1n)], undefined],
  ['more conditions imply fewer', [[c(0, 'eq', 1n)]], [c(1, 'eq', 7n), c(0, 'eq', 1n)], 0],
  ['fewer conditions do not imply more', [[c(0, 'eq', 1n), c(1, 'eq', 7n)]], [c(0, 'eq', 1n)], undefined],
  ['64-bit equality implies the 32-bit one', [[c(0, 'eq', 1n, 32)]], [c(0, 'eq', HI + 1n)], 0],
  ['32-bit equality does not imply the 64-bit one', [[c(0, 'eq', 1n)]], [c(0, 'eq', 1n, 32)], undefined],
  ['32-bit equality and a bound imply the 64-bit one', [[c(0, 'eq', 1n)]], [c(0, 'eq', 1n, 32), c(0, 'lt', HI)], 0],
  ['an interval of one value implies the equality', [[c(0, 'eq', 9n)]], [c(0, 'ge', 9n), c(0, 'le', 9n)], 0],
  ['a full mask implies the equality', [[c(0, 'eq', 9n, 32)]], [c(0, 'masked_eq', 9n, 32, 0xffffffffn)], 0],
  ['a contradiction implies the first rule', [[c(0, 'eq', 1n)], [c(0, 'eq', 2n)]], [c(0, 'eq', 3n), c(0, 'eq', 4n)], 0],
  ['masked rules are always scanned', [[c(0, 'eq', 1n)], [c(0, 'masked_eq', 0n, 64, 0xf0n)]], [c(0, 'eq', 2n)], 1],
  ['ne after eq', [[c(0, 'eq', 3n)], [c(0, 'ne', 4n)]], [c(0, 'eq', 3n)], 0],
];

for (const [name, earlier, later, expected] of table) {
  test(`table: ${name}`, () => {
    assert.is(linear(earlier, later), expected, 'the table disagrees with the linear scan');
    assert.is(indexed(earlier, later), expected);
  });
}

const OPS: readonly CmpOp[] = ['eq', 'eq', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];

test('random rule lists: the index finds what the linear scan finds', () => {
  const rng = makeRng(14);
  const value = (width: 32 | 64): bigint => {
    const small = BigInt(rng.int(6));
    if (width === 32 || rng.int(4) > 0) return small;
    return HI * BigInt(rng.int(3)) + small;
  };
  const cond = (): Condition => {
    const op = OPS[rng.int(OPS.length)]!;
    const width = rng.int(3) === 0 ? 32 : 64;
    if (op === 'masked_eq') {
      const mask = BigInt(rng.int(8));
      return c(rng.int(2), op, value(width) & mask, width, mask);
    }
    return c(rng.int(2), op, value(width), width);
  };
  const rule = (): Condition[] => Array.from({ length: 1 + rng.int(2) }, cond);
  let hits = 0;
  for (let round = 0; round < 400; round++) {
    const earlier = Array.from({ length: 1 + rng.int(12) }, rule);
    const later = rule();
    const want = linear(earlier, later);
    if (want !== undefined) hits++;
    assert.is(indexed(earlier, later), want, JSON.stringify({ earlier, later }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  assert.ok(hits > 40 && hits < 360, `the generator should give both outcomes often (${hits} of 400 implied)`);
});

test('normalize: shadowed-rule warnings among many equalities name the first earlier rule', () => {
  const spec = policy({
    default: kill(),
    arch: 'x86_64',
    rules: [
      ...Array.from({ length: 50 }, (_, k) => allow('read').when(arg(0).eq(k))),
      errno(1).on('read').when(arg(0).eq(7)),
      errno(2).on('read').when(arg(0).int.eq(30), arg(0).lt(1n << 32n)),
      errno(3).on('read').when(arg(0).eq(50)),
      errno(4).on('read', 'write').when(arg(0).eq(50), arg(1).eq(1)),
      allow('read'),
      errno(5).on('read').when(arg(0).eq(99)),
    ],
  });
  const got = normalize(spec).diagnostics.filter((d) => d.code === 'shadowed-rule').map((d) => [d.code, d.path, d.message.replace(/^.*: /, '')]);
  assert.equal(got, [
    ['shadowed-rule', 'rules[50]', 'rules[7] matches first whenever it would'],
    ['shadowed-rule', 'rules[51]', 'rules[30] matches first whenever it would'],
    ['shadowed-rule', 'rules[53]', 'rules[52] matches first whenever it would'],
    ['shadowed-rule', 'rules[55]', 'rules[54] matches first whenever it would'],
  ]);
});

test.run();
