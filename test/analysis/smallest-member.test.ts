/**
 * smallestMember against brute force on 10-bit values (the upper 22 bits fixed by the pattern),
 * with the exclusions that defeat a skipping search: nested low-bit masks, each leaving few values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smallestMember } from '../../src/analysis/smallest-member.js';
import type { Exclusion } from '../../src/analysis/cells.js';
import { makeRng } from '../support/random-program.js';

const HIGH = 0xfffffc00;

function brute(lo: number, hi: number, mask: number, bits: number, excl: readonly Exclusion[]): number | undefined {
  for (let v = lo; v <= hi; v++) {
    if (((v & mask) >>> 0) !== bits) continue;
    if (excl.some((e) => e.values.includes((v & e.mask) >>> 0))) continue;
    return v;
  }
  return undefined;
}

test('random masks and values = brute force', () => {
  const rng = makeRng(11);
  for (let i = 0; i < 2000; i++) {
    const mask = (rng.u32() & rng.u32() & 0x3ff) | HIGH;
    const bits = rng.u32() & mask & 0x3ff;
    const excl: Exclusion[] = Array.from({ length: rng.int(5) }, () => {
      const m = rng.chance(0.5) ? 2 ** (1 + rng.int(10)) - 1 : rng.u32() & 0x3ff;
      return { mask: m, values: [...new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.u32() & m))] };
    });
    const lo = rng.int(0x400);
    const hi = lo + rng.int(0x400 - lo);
    assert.is(smallestMember(lo, hi, mask >>> 0, bits, excl), brute(lo, hi, mask >>> 0, bits, excl), JSON.stringify({ lo, hi, mask, bits, excl }));
  }
});

// "low 32 bits != 1" as an OCI export writes it: x & (2^k - 1) != 2^(k-1) + 1 for k = 2..32, and x & 1 != 0
const chain: Exclusion[] = [{ mask: 1, values: [0] }];
for (let k = 2; k <= 32; k++) chain.push({ mask: (2 ** k - 1) >>> 0, values: [(2 ** (k - 1) + 1) >>> 0] });

test('nested low-bit exclusions over the whole u32 range', () => {
  assert.is(smallestMember(0, 0xffffffff, 0, 0, chain), 1);
  assert.is(smallestMember(2, 0xffffffff, 0, 0, chain), undefined); // 1 is the only value left
  assert.is(smallestMember(0, 0xffffffff, 0, 0, chain.slice(0, 31)), 1);
  assert.is(smallestMember(2, 0xffffffff, 0, 0, chain.slice(0, 31)), 0x80000001); // the top bit is free again
  assert.is(smallestMember(0, 0xffffffff, 0x80000000, 0x80000000, chain.slice(0, 31)), 0x80000001);
  assert.is(smallestMember(0, 0x80000000, 0x80000000, 0x80000000, chain.slice(0, 31)), undefined);
});

test('bounds are inclusive', () => {
  assert.is(smallestMember(5, 5, 0, 0, []), 5);
  assert.is(smallestMember(0xffffffff, 0xffffffff, 0, 0, []), 0xffffffff);
  assert.is(smallestMember(6, 9, 0, 0, [{ mask: 0xffffffff, values: [6, 7, 8, 9] }]), undefined);
  assert.is(smallestMember(6, 10, 0, 0, [{ mask: 0xffffffff, values: [6, 7, 8, 9] }]), 10);
});

test.run();
