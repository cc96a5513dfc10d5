import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { implies, minMatching, satisfiable } from '../../src/ir/implication.js';
import type { CmpOp, Condition } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';

const M64 = (1n << 64n) - 1n;
const c = (op: CmpOp, value: bigint, width: 32 | 64 = 64, mask?: bigint, arg = 0): Condition => condition(arg, op, width, value, mask);

/** The IR's own meaning of a condition (as in src/ir/types.ts). */
function holds(cond: Condition, x: bigint): boolean {
  const v = cond.width === 32 ? x & 0xffffffffn : x;
  switch (cond.op) {
    case 'eq': return v === cond.value;
    case 'ne': return v !== cond.value;
    case 'lt': return v < cond.value;
    case 'le': return v <= cond.value;
    case 'gt': return v > cond.value;
    case 'ge': return v >= cond.value;
    case 'masked_eq': return (v & cond.mask) === cond.value;
  }
}

const table: Array<[string, Condition[], Condition[], boolean]> = [
  ['nothing implies nothing', [], [], true],
  ['anything implies no conditions', [c('eq', 1n)], [], true],
  ['no conditions do not imply eq', [], [c('eq', 1n)], false],
  ['subset', [c('eq', 1n), c('eq', 2n, 64, undefined, 1)], [c('eq', 1n)], true],
  ['different arg', [c('eq', 1n, 64, undefined, 1)], [c('eq', 1n)], false],
  ['lt 5 => le 4', [c('lt', 5n)], [c('le', 4n)], true],
  ['lt 5 => lt 6', [c('lt', 5n)], [c('lt', 6n)], true],
  ['lt 6 !=> lt 5', [c('lt', 6n)], [c('lt', 5n)], false],
  ['gt max-1 => eq max', [c('gt', M64 - 1n)], [c('eq', M64)], true],
  ['ge 3 and le 3 => eq 3', [c('ge', 3n), c('le', 3n)], [c('eq', 3n)], true],
  ['eq 5 => ne 6', [c('eq', 5n)], [c('ne', 6n)], true],
  ['lt 2 and ne 0 => eq 1', [c('lt', 2n), c('ne', 0n)], [c('eq', 1n)], true],
  ['lt 3 and ne 0 !=> eq 1', [c('lt', 3n), c('ne', 0n)], [c('eq', 1n)], false],
  ['64-bit eq => 32-bit eq', [c('eq', 0x1_0000_0005n)], [c('eq', 5n, 32)], true],
  ['32-bit eq !=> 64-bit eq', [c('eq', 5n, 32)], [c('eq', 5n)], false],
  ['32-bit eq and 64-bit lt 2^32 => 64-bit eq', [c('eq', 5n, 32), c('lt', 1n << 32n)], [c('eq', 5n)], true],
  ['32-bit eq -1 => 32-bit ge 2^31', [c('eq', 0xffffffffn, 32)], [c('ge', 0x80000000n, 32)], true],
  ['32-bit lt 10 !=> 64-bit lt 10', [c('lt', 10n, 32)], [c('lt', 10n)], false],
  ['64-bit lt 10 => 32-bit lt 10', [c('lt', 10n)], [c('lt', 10n, 32)], true],
  ['masked: flags clear => narrower mask clear', [c('masked_eq', 0n, 64, 0xf0n)], [c('masked_eq', 0n, 64, 0x30n)], true],
  ['masked: narrower !=> wider', [c('masked_eq', 0n, 64, 0x30n)], [c('masked_eq', 0n, 64, 0xf0n)], false],
  ['masked spanning halves', [c('masked_eq', 0x1_8000_0000n, 64, 0x3_c000_0000n)], [c('ge', 0x1_0000_0000n)], true],
  ['masked + interval => eq', [c('masked_eq', 0n, 64, ~0xffn & M64), c('ge', 0xffn)], [c('eq', 0xffn)], true],
  ['eq and ne on 32 bits', [c('ne', 1n, 32), c('ne', 2n, 32), c('lt', 3n)], [c('eq', 0n)], true],
  ['unsatisfiable implies anything', [c('eq', 1n), c('eq', 2n)], [c('eq', 9n, 64, undefined, 3)], true],
];
for (const [name, a, b, expected] of table) {
  test(`implies: ${name}`, () => assert.is(implies(a, b), expected));
}

const sat: Array<[string, Condition[], string]> = [
  ['empty', [], 'sat'],
  ['lt 0', [c('lt', 0n)], 'unsat'],
  ['gt max', [c('gt', M64)], 'unsat'],
  ['32-bit gt 2^32-1', [c('gt', 0xffffffffn, 32)], 'unsat'],
  ['masked value outside mask', [c('masked_eq', 3n, 64, 1n)], 'unsat'],
  ['conflicting fixed bits', [c('masked_eq', 1n, 64, 1n), c('masked_eq', 0n, 64, 3n)], 'unsat'],
  ['low half interval vs fixed low bits', [c('ge', 10n, 32), c('le', 11n, 32), c('masked_eq', 4n, 32, 4n)], 'unsat'],
  ['low interval and 64-bit interval', [c('ge', 0xfffffff0n, 32), c('lt', 0x1_0000_0000n), c('gt', 0xfffffff8n)], 'sat'],
  ['all values of a tiny range excluded', [c('lt', 3n), c('ne', 0n), c('ne', 1n), c('ne', 2n)], 'unsat'],
  ['excluded patterns, sparse masks', [c('masked_eq', 1n, 64, 1n), c('masked_eq', 1n << 40n, 64, 1n << 40n), c('le', (1n << 41n) - 1n), c('ge', 1n << 40n), c('ne', (1n << 40n) | 1n)], 'sat'],
];
for (const [name, conds, expected] of sat) {
  test(`satisfiable: ${name}`, () => assert.is(satisfiable(conds), expected));
}

test('patterns only the low bits decide do not make the search exponential', () => {
  // low32 < 2 but neither 0 nor 1: every high prefix poses the same subproblem.
  const a = [c('lt', 2n, 32)];
  assert.is(satisfiable([...a, c('ne', 0n, 32), c('ne', 1n, 32)]), 'unsat');
  assert.ok(implies([...a, c('ne', 0n, 32)], [c('eq', 1n, 32)]));
  // bit 0 neither 0 nor 1, through excluded patterns (the negation of masked_eq)
  assert.ok(implies([c('masked_eq', 0n, 64, 1n << 40n)], [c('masked_eq', 0n, 64, 1n << 40n)]));
  assert.ok(implies([c('ne', 0n, 32), c('lt', 2n, 32)], [c('masked_eq', 1n, 32, 1n)]));
});

test('minMatching finds the smallest matching value', () => {
  const brute = (from: bigint, mask: bigint, value: bigint, width: number) => {
    for (let x = from; x < 1n << BigInt(width); x++) if ((x & mask) === value) return x;
    return undefined;
  };
  for (let from = 0n; from < 16n; from++)
    for (let mask = 0n; mask < 16n; mask++)
      for (let value = 0n; value < 16n; value++) {
        if ((value & ~mask) !== 0n) continue;
        assert.is(minMatching(from, mask, value, 4), brute(from, mask, value, 4), `${from} ${mask} ${value}`);
      }
});

// Soundness, randomized: whenever implies() says yes, no tested value may satisfy a but not b;
// whenever satisfiable() says unsat, no tested value may satisfy the conditions.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
}
const CONSTANTS = [0n, 1n, 2n, 5n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 1n << 32n, (1n << 32n) + 5n, 1n << 63n, M64 - 1n, M64];
const MASKS = [1n, 0xffn, 0xf0n, 0xffffffffn, 0xffffffff00000000n, 0x1_8000_0001n, M64];
const OPS: CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];
const SAMPLES = [...new Set(CONSTANTS.flatMap((v) => [v - 1n, v, v + 1n, v ^ (1n << 32n), v & 0xffffffffn]).filter((v) => v >= 0n && v <= M64))];

test('randomized soundness against the IR semantics', () => {
  const rand = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const random = (): Condition => {
    const width = rand() < 0.4 ? 32 : 64;
    const lim = width === 32 ? 0xffffffffn : M64;
    const op = pick(OPS);
    const mask = op === 'masked_eq' ? pick(MASKS) & lim : undefined;
    let value = pick(CONSTANTS) & lim;
    if (mask !== undefined && rand() < 0.8) value &= mask;
    return c(op, value, width, mask);
  };
  let proved = 0;
  for (let i = 0; i < 3000; i++) {
    const a = Array.from({ length: 1 + Math.floor(rand() * 3) }, random);
    const b = Array.from({ length: 1 + Math.floor(rand() * 2) }, random);
    if (satisfiable(a) === 'unsat') {
      for (const x of SAMPLES) assert.not.ok(a.every((k) => holds(k, x)), `unsat but ${x} satisfies ${JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    }
    if (implies(a, b)) {
      proved++;
      for (const x of SAMPLES) {
        if (a.every((k) => holds(k, x))) assert.ok(b.every((k) => holds(k, x)), `counterexample ${x}`);
      }
    }
  }
  assert.ok(proved > 100, `only ${proved} implications proved`);
});

test.run();
