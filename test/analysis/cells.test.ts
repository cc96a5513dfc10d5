/**
 * Cells: the pattern search against brute force on small masks, and partitions that really
 * partition (each value in exactly one cell) with every predicate constant on each cell.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPartition, cellOf, PartitionTooLarge, findRep, inCell, minInPattern, predicateHolds, type Exclusion, type Predicate } from '../../src/analysis/cells.js';
import { makeRng } from '../support/random-program.js';

function bruteMin(lo: number, hi: number, mask: number, bits: number, excl: readonly Exclusion[]): number | undefined {
  for (let v = lo; v <= hi; v++) {
    if (((v & mask) >>> 0) !== bits) continue;
    if (excl.some((e) => e.values.includes((v & e.mask) >>> 0))) continue;
    return v;
  }
  return undefined;
}

test('minInPattern = brute force on 10-bit values', () => {
  const rng = makeRng(1);
  for (let i = 0; i < 3000; i++) {
    const mask = rng.u32() & 0x3ff;
    const bits = rng.u32() & mask;
    const lo = rng.int(0x400);
    const want = bruteMin(lo, 0x3ff, mask | 0xfffffc00, bits, []);
    const got = minInPattern(lo, (mask | 0xfffffc00) >>> 0, bits);
    assert.is(got, want, `lo ${lo} mask ${mask.toString(2)} bits ${bits.toString(2)}`);
  }
});

test('minInPattern at the top of the u32 range', () => {
  assert.is(minInPattern(0xfffffffe, 0x1, 1), 0xffffffff);
  assert.is(minInPattern(0xffffffff, 0x1, 0), undefined);
  assert.is(minInPattern(0x80000001, 0x80000000, 0), undefined);
  assert.is(minInPattern(5, 0x80000000, 0x80000000), 0x80000000);
});

test('findRep with exclusions = brute force on 10-bit values', () => {
  const rng = makeRng(2);
  for (let i = 0; i < 3000; i++) {
    const mask = rng.u32() & rng.u32() & 0x3ff;
    const bits = rng.u32() & mask;
    const excl: Exclusion[] = Array.from({ length: rng.int(3) }, () => {
      const m = rng.u32() & 0x3ff;
      return { mask: m, values: Array.from({ length: 1 + rng.int(3) }, () => rng.u32() & m) };
    });
    const lo = rng.int(0x400);
    const hi = lo + rng.int(0x400 - lo);
    const want = bruteMin(lo, hi, mask, bits, excl);
    assert.is(findRep(lo, hi, mask, bits, excl), want, JSON.stringify({ lo, hi, mask, bits, excl }));
  }
});

const POOL = [0, 1, 2, 3, 7, 8, 0x10, 0xff, 0x100, 0x7e020000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const MASKS = [0xffffffff, 0xff, 0xf0, 0x3, 0x80000001, 0x7e020000, 0xffff0000, 0xfffffff0, 0];
const OPS = ['jeq', 'jgt', 'jge', 'jset'] as const;

test('partitions: every value in exactly one cell, every predicate constant on a cell', () => {
  const rng = makeRng(3);
  let done = 0;
  for (let round = 0; round < 80; round++) {
    const preds: Predicate[] = Array.from({ length: 1 + rng.int(8) }, () => ({
      word: 0,
      mask: rng.pick(MASKS),
      op: rng.pick(OPS),
      k: rng.chance(0.7) ? rng.pick(POOL) : rng.u32(),
    }));
    let partition;
    try {
      partition = buildPartition(preds, 1);
    } catch (e) {
      if (e instanceof PartitionTooLarge) continue; // masked ordered comparisons on many bits
      throw e;
    }
    done++;
    const cells = partition[0]!.cells;
    for (const c of cells) {
      assert.ok(inCell(c, c.rep), 'a representative is in its cell');
      for (const p of preds) {
        // members near the representative and near the edges answer like it
        for (const v of [c.rep, c.lo, c.hi, c.rep + 1, c.hi - 1, rng.u32()]) {
          if (v < 0 || v > 0xffffffff || !inCell(c, v)) continue;
          assert.is(predicateHolds(p, v), predicateHolds(p, c.rep), `predicate ${JSON.stringify(p)} on ${v} vs rep ${c.rep}`);
        }
      }
    }
    for (let i = 0; i < 400; i++) {
      const v = rng.chance(0.5) ? (rng.pick(POOL) + rng.int(3) - 1) >>> 0 : rng.u32();
      const owners = cells.filter((c) => inCell(c, v));
      assert.is(owners.length, 1, `value ${v} is in ${owners.length} cells`);
      assert.is(cells[cellOf(partition, 0, v)], owners[0]);
    }
  }
  assert.ok(done >= 50, `only ${done} partitions built`);
});

test('representatives are the smallest members of their cells', () => {
  const partition = buildPartition(
    [
      { word: 0, mask: 0xff, op: 'jeq', k: 5 },
      { word: 0, mask: 0xffffffff, op: 'jgt', k: 0x100 },
    ],
    1,
  );
  const reps = partition[0]!.cells.map((c) => c.rep).sort((a, b) => a - b);
  assert.equal(reps, [0, 5, 0x101, 0x105]);
});

test('nested masks with incompatible values stay small and exact (an OCI export of "low 32 bits != 1")', () => {
  const preds: Predicate[] = [
    { word: 0, mask: 0xffffffff, op: 'jeq', k: 1 },
    { word: 0, mask: 0xffffffff, op: 'jset', k: 1 },
  ];
  for (let k = 2; k <= 32; k++) preds.push({ word: 0, mask: (2 ** k - 1) >>> 0, op: 'jeq', k: (2 ** (k - 1) + 1) >>> 0 });
  const cells = buildPartition(preds, 1)[0]!.cells; // once estimated at 10,737,418,240 cells
  assert.ok(cells.length < 100, `${cells.length} cells`);
  const partition = buildPartition(preds, 1);
  const rng = makeRng(4);
  for (let i = 0; i < 2000; i++) {
    const v = rng.chance(0.5) ? (2 ** rng.int(32) + rng.int(3)) >>> 0 : rng.u32();
    const c = cells[cellOf(partition, 0, v)]!;
    for (const p of preds) assert.is(predicateHolds(p, v), predicateHolds(p, c.rep), `${JSON.stringify(p)} on ${v} vs rep ${c.rep}`);
  }
});

test('20,000 different masks on one word: PartitionTooLarge, not a stack overflow', () => {
  // every value 0 is compatible with every other, so the groups nest 20,000 deep
  const preds: Predicate[] = Array.from({ length: 20_000 }, (_, i) => ({ word: 4, mask: (i + 1) * 2, op: 'jeq', k: 0 }));
  assert.throws(() => buildPartition(preds, 16), (e: unknown) => e instanceof PartitionTooLarge);
});

test.run();
