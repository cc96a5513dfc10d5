// The exporter's condition rewriting is exact: for conditions at every width and boundary, the
// alternatives it produces (negations, 32-bit views on 64-bit ABIs, several comparisons on one
// argument) never overlap and together hold exactly where the original does (brute force over
// values around every constant).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CmpOp, Condition } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';
import { conditionHolds } from '../../src/ir/semantics.js';
import { mergePerArg, nativeProduct, negate } from '../../src/oci/conditions.js';

const U64 = (1n << 64n) - 1n;
const OPS: CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];
const VALUES = [0n, 1n, 5n, 0x7fffffffn, 0xfffffffen, 0xffffffffn, 1n << 32n, (1n << 32n) + 5n, 1n << 63n, U64];
const MASKS = [1n, 6n, 0xffn, 0xffffffffn, 0xffffffff00000004n, U64];

function conditions(): Condition[] {
  const out: Condition[] = [];
  for (const width of [32, 64] as const) {
    const max = width === 32 ? 0xffffffffn : U64;
    for (const op of OPS) {
      for (const v of VALUES.filter((x) => x <= max)) {
        if (op !== 'masked_eq') out.push(condition(0, op, width, v));
        else for (const m of MASKS.filter((x) => x <= max)) out.push(condition(0, op, width, v & m, m));
      }
    }
  }
  return out;
}

function probes(cs: readonly Condition[], lowOnly: boolean): bigint[] {
  const out = new Set<bigint>([0n, U64, 0xffffffffn, 1n << 32n]);
  for (const c of cs) for (const d of [-1n, 0n, 1n]) for (const hi of [0n, 1n << 32n, 0xffffffffn << 32n]) out.add(((c.value + d) & 0xffffffffn) | hi), out.add((c.value + d) & U64);
  return [...out].map((x) => (lowOnly ? x & 0xffffffffn : x));
}

const holdsAll = (cs: readonly Condition[], x: bigint) => cs.every((c) => conditionHolds(c, [x]));

test('negate: disjoint alternatives that hold exactly where the condition does not', () => {
  let n = 0;
  for (const c of conditions()) {
    const alts = negate(c);
    for (const x of probes([c], false)) {
      const hits = alts.filter((a) => conditionHolds(a, [x])).length;
      assert.is(hits, conditionHolds(c, [x]) ? 0 : 1, `${JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))} at 0x${x.toString(16)}`);
      n++;
    }
  }
  assert.ok(n > 1500, `only ${n} probes`);
});

test('nativeProduct: on a 64-bit ABI every condition becomes 64-bit tests with the same truth', () => {
  for (const c of conditions()) {
    const conj = nativeProduct([c], 64);
    assert.ok(conj.every((k) => k.every((a) => a.width === 64)));
    for (const x of probes([c], false)) {
      const hits = conj.filter((k) => holdsAll(k, x)).length;
      assert.is(hits, conditionHolds(c, [x]) ? 1 : 0, `${c.op}/${c.width} 0x${c.value.toString(16)} at 0x${x.toString(16)}`);
    }
  }
});

test('nativeProduct: on a 32-bit ABI (no upper halves) every condition becomes low-half tests with the same truth', () => {
  for (const c of conditions()) {
    const conj = nativeProduct([c], 32);
    for (const x of probes([c], true)) {
      const hits = conj.filter((k) => holdsAll(k, x)).length;
      assert.is(hits, conditionHolds(c, [x]) ? 1 : 0, `${c.op}/${c.width} 0x${c.value.toString(16)} at 0x${x.toString(16)}`);
    }
  }
});

test('mergePerArg: several comparisons on one argument -> disjoint single comparisons, same set', () => {
  const cs = conditions().filter((c) => c.width === 64);
  let pairs = 0;
  for (let i = 0; i < cs.length; i += 7) {
    for (let j = 1; j < cs.length; j += 11) {
      const both = [cs[i]!, cs[j]!];
      const alts = mergePerArg(both, 'test');
      assert.ok(alts.every((k) => k.length <= 1));
      for (const x of probes(both, false)) {
        const hits = alts.filter((k) => holdsAll(k, x)).length;
        assert.is(hits, holdsAll(both, x) ? 1 : 0);
      }
      pairs++;
    }
  }
  assert.ok(pairs > 100);
});

test.run();
