/**
 * The exact region analysis against brute force: random compare-only programs (loads, masks,
 * constants, X, scratch memory, every conditional jump) are explored into leaves; random inputs
 * (mostly near the constants) must fall in exactly one leaf, whose return value is the
 * interpreter's. Programs that are not compare-only are recognised, with the reason.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPartition, cellOf } from '../../src/analysis/cells.js';
import { analyzeShape, explore, fullRegion, type Region } from '../../src/analysis/explore.js';
import { WORD_COUNT, wordAtOffset } from '../../src/analysis/words.js';
import { insn, type Insn } from '../../src/bpf/isa.js';
import { check, validate } from '../../src/bpf/validate.js';
import { run } from '../../src/bpf/interpreter.js';
import { makeRng, type Rng } from '../support/random-program.js';

const POOL = [0, 1, 2, 3, 7, 8, 0x10, 0xff, 0x100, 0x7e020000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const MASKS = [0xff, 0xf0, 0x3, 0x80000001, 0x7e020000, 0xffff0000, 0xfffffff0, 0x1];
const OFFSETS = [0, 4, 16, 20, 24, 28];

function constant(rng: Rng): number {
  return rng.chance(0.8) ? rng.pick(POOL) : rng.u32();
}

/** A random compare-only program of about `len` instructions (kernel-valid, forward jumps). */
function randomCompareOnly(rng: Rng, len: number): Insn[] {
  for (;;) {
    const p: Insn[] = [];
    for (let i = 0; i < len - 1; i++) {
      const left = len - 1 - i - 1; // instructions after this one, before the final ret
      const r = rng.int(100);
      if (r < 20) p.push(insn(0x20, rng.pick(OFFSETS))); // ld [k]
      else if (r < 27) p.push(insn(0x54, rng.pick(MASKS))); // and #k
      else if (r < 30) p.push(insn(0x00, constant(rng))); // ld #k
      else if (r < 33) p.push(insn(0x01, constant(rng))); // ldx #k
      else if (r < 35) p.push(insn(0x07)); // tax
      else if (r < 37) p.push(insn(0x02, 3)); // st M[3]
      else if (r < 39) p.push(insn(0x60, 3)); // ld M[3]
      else if (r < 42) p.push(insn(0x1d, 0, rng.int(Math.min(left, 4) + 1), rng.int(Math.min(left, 4) + 1))); // jeq x
      else if (r < 47) p.push(insn(0x06, rng.pick([0x7fff0000, 0x00050001, 0x00050002, 0x80000000, 0x00030007]))); // ret #k
      else if (r < 49) p.push(insn(0x05, rng.int(Math.min(left, 3) + 1))); // ja
      else {
        const code = rng.pick([0x15, 0x25, 0x35, 0x45]);
        p.push(insn(code, constant(rng), rng.int(Math.min(left, 6) + 1), rng.int(Math.min(left, 6) + 1)));
      }
    }
    p.push(rng.chance(0.3) ? insn(0x16) : insn(0x06, 0x00050003)); // ret A: fine when A holds a constant on every path
    if (check(p).length === 0) return p;
  }
}

function wordsOf(rng: Rng): number[] {
  return Array.from({ length: WORD_COUNT }, () => (rng.chance(0.7) ? (rng.pick(POOL) + rng.int(3) - 1) >>> 0 : rng.u32()));
}

/** The 64 seccomp_data bytes holding `words` (word index as in src/analysis/words.ts). */
function bytesOf(words: readonly number[], endian: 'little' | 'big'): DataView {
  const view = new DataView(new ArrayBuffer(64));
  for (let off = 0; off < 64; off += 4) view.setUint32(off, words[wordAtOffset(off, endian)]!, endian === 'little');
  return view;
}

test('random compare-only programs: leaves partition the inputs and agree with the interpreter', () => {
  const rng = makeRng(42);
  let exact = 0;
  let inputs = 0;
  for (let round = 0; round < 300; round++) {
    const endian = round % 5 === 0 ? 'big' : 'little';
    const program = validate(randomCompareOnly(rng, 6 + rng.int(30)));
    const shape = analyzeShape(program, endian);
    if (shape.unsupported.length) continue; // e.g. ret A of a loaded word, jeq x of two words
    exact++;
    const partition = buildPartition(shape.predicates, WORD_COUNT);
    const leaves: { region: Region; ret: number }[] = [];
    explore(program, endian, partition, fullRegion(WORD_COUNT), (region, ret) => leaves.push({ region, ret }));
    for (let i = 0; i < 200; i++) {
      const words = wordsOf(rng);
      const cells = words.map((v, w) => cellOf(partition, w, v));
      const holders = leaves.filter((l) => l.region.every((set, w) => !set || (set[cells[w]! >>> 5]! >>> (cells[w]! & 31)) & 1));
      assert.is(holders.length, 1, `round ${round}: input in ${holders.length} leaves`);
      const want = run(program, bytesOf(words, endian), endian).ret;
      assert.is(holders[0]!.ret >>> 0, want, `round ${round}, words ${words.join(',')}`);
      inputs++;
    }
  }
  assert.ok(exact >= 200, `only ${exact} programs were compare-only`);
  assert.ok(inputs >= 40000);
});

const SHAPES: readonly [string, Insn[], RegExp | undefined][] = [
  ['compare-only', [insn(0x20, 0), insn(0x15, 3, 0, 1), insn(0x06, 0x7fff0000), insn(0x06, 0)], undefined],
  ['masked compare', [insn(0x20, 16), insn(0x54, 0xff), insn(0x15, 3, 0, 1), insn(0x06, 0x7fff0000), insn(0x06, 0)], undefined],
  ['constant folding through X and M[]', [insn(0x00, 5), insn(0x02, 0), insn(0x61, 0), insn(0x87), insn(0x15, 5, 0, 1), insn(0x06, 1), insn(0x16)], undefined],
  ['arithmetic on loaded data', [insn(0x20, 0), insn(0x04, 1), insn(0x15, 3, 0, 1), insn(0x06, 0x7fff0000), insn(0x06, 0)], /arithmetic on loaded data/],
  ['two loaded words compared', [insn(0x20, 0), insn(0x07), insn(0x20, 16), insn(0x1d, 0, 0, 1), insn(0x06, 0x7fff0000), insn(0x06, 0)], /compares two loaded words/],
  ['returns a loaded word', [insn(0x20, 16), insn(0x16)], /returns a value read from seccomp_data/],
];

for (const [name, insns, reason] of SHAPES) {
  test(`shape: ${name}`, () => {
    const shape = analyzeShape(validate(insns), 'little');
    if (reason) assert.match(shape.unsupported.join('\n'), reason);
    else assert.equal(shape.unsupported, []);
  });
}

test.run();
