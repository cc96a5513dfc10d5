/**
 * The operator table agrees with itself: for every operator, both widths, constants at the edges
 * and arguments around them, the condition's tests on 32-bit halves, its value set and its
 * negation all say what `holds` says, and its example value satisfies it whenever anything does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CMP_OPS, condition, conditionHolds, OPERATORS, type Constraint, type HalfFormula } from '../../src/ir/operators.js';
import type { Condition } from '../../src/ir/types.js';

const U32 = 0xffffffffn;
const U64 = 0xffffffffffffffffn;
const CONSTANTS = [0n, 1n, 0x7fn, U32 - 1n, U32, U32 + 1n, 0x1_0000_0005n, 1n << 63n, U64 - 1n, U64];
const MASKS = [0n, 1n, 0xf0n, U32, 0xffff_0000_0000n, 0x8000_0000_0000_0001n, U64];

function conditions(): Condition[] {
  const out: Condition[] = [];
  for (const width of [32, 64] as const) {
    const max = width === 32 ? U32 : U64;
    for (const op of CMP_OPS) {
      for (const v of CONSTANTS.filter((x) => x <= max)) {
        if (!OPERATORS[op].masked) out.push(condition(1, op, width, v));
        else for (const m of MASKS.filter((x) => x <= max)) out.push(condition(1, op, width, v & m, m), condition(1, op, width, v, m));
      }
    }
  }
  return out;
}

/** Arguments around a condition's constant and its mask, in both halves. */
function argumentsFor(c: Condition): bigint[] {
  const out = new Set<bigint>([0n, 1n, U32, U32 + 1n, U64, 0xdead_beef_0000_0000n]);
  for (const d of [-1n, 0n, 1n]) {
    out.add(c.value + d);
    out.add(c.value + (d << 32n));
    out.add((c.value + d) | (0x1234n << 32n));
  }
  out.add(c.value | (~c.mask & U64));
  out.add(c.value ^ (c.mask & -c.mask));
  return [...out].filter((x) => x >= 0n && x <= U64);
}

function halvesHold(f: HalfFormula, x: bigint): boolean {
  switch (f.kind) {
    case 'const':
      return f.value;
    case 'not':
      return !halvesHold(f.f, x);
    case 'and':
      return f.fs.every((g) => halvesHold(g, x));
    case 'or':
      return f.fs.some((g) => halvesHold(g, x));
    case 'test': {
      const word = Number((f.half === 'low' ? x : x >> 32n) & U32);
      const a = (word & f.mask) >>> 0;
      return f.op === 'jeq' ? a === f.k : f.op === 'jgt' ? a > f.k : a >= f.k;
    }
  }
}

function inConstraint(k: Constraint, x: bigint): boolean {
  switch (k.kind) {
    case 'range':
      return x >= k.lo && x <= k.hi;
    case 'bits':
      return (x & k.mask) === k.value;
    case 'not-bits':
      return (x & k.mask) !== k.value;
  }
}

test('halves, constraint and negation agree with holds', () => {
  let checked = 0;
  for (const c of conditions()) {
    const op = OPERATORS[c.op];
    for (const arg of argumentsFor(c)) {
      const x = c.width === 32 ? arg & U32 : arg;
      const want = op.holds(x, c);
      const what = `${c.op}/${c.width} value ${c.value} mask ${c.mask} arg ${arg}`;
      assert.is(conditionHolds(c, arg), want, what);
      assert.is(halvesHold(op.halves(c), arg), want, `halves: ${what}`);
      assert.is(inConstraint(op.constraint(c), x), want, `constraint: ${what}`);
      if (op.negation) assert.is(OPERATORS[op.negation].holds(x, condition(c.arg, op.negation, c.width, c.value)), !want, `negation: ${what}`);
      checked++;
    }
  }
  assert.ok(checked > 2000, `${checked}`);
});

test('the example satisfies the condition whenever some value does', () => {
  for (const c of conditions()) {
    const op = OPERATORS[c.op];
    const k = op.constraint(c);
    const empty = k.kind === 'range' ? k.lo > k.hi : k.kind === 'bits' ? (k.value & ~k.mask) !== 0n : false;
    if (!empty) assert.ok(op.holds(op.example(c), c), `${c.op}/${c.width} value ${c.value} mask ${c.mask}`);
  }
});

test('a mask is the full width unless the operator is masked', () => {
  assert.is(condition(0, 'eq', 32, 1n, 0xffn).mask, U32);
  assert.is(condition(0, 'lt', 64, 1n).mask, U64);
  assert.is(condition(0, 'masked_eq', 64, 1n, 0xffn).mask, 0xffn);
});

test('every operator has its own OCI name', () => {
  const names = CMP_OPS.map((op) => OPERATORS[op].oci);
  assert.is(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^SCMP_CMP_[A-Z_]+$/);
});

test.run();
