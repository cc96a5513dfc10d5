import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../../src/bpf/interpreter.js';
import { validate, type Program } from '../../src/bpf/validate.js';
import { stmt, jump, BPF_MAXINSNS, type Insn } from '../../src/bpf/isa.js';
import type { ByteOrder } from '../../src/bpf/encode.js';
import { compileWasm } from '../../src/wasm/jit.js';
import { jumpTargets } from '../../src/wasm/layout.js';
import { emitModule } from '../../src/wasm/emit.js';
import { wabtValidate } from '../../src/wasm/wabt.js';
import { SEMANTICS_CASES, data } from '../support/semantics-cases.js';
import { makeRng } from '../support/random-program.js';

/** The semantics table's record with every 32-bit word byte-swapped: big-endian sees the same words. */
const swapped = new Uint8Array(64);
for (let i = 0; i < 64; i++) swapped[i] = data[(i & ~3) + 3 - (i & 3)]!;

/**
 * The same program with a dead `ret` inserted after its (single) conditional jump, so neither
 * side of the jump falls through: the translator then branches on the condition itself rather
 * than on its negation. Undefined for programs without a conditional jump.
 */
function withoutFallThrough(insns: readonly Insn[]): Insn[] | undefined {
  const at = insns.findIndex((i) => (i.code & 0x07) === 0x05 && i.code !== 0x05);
  if (at < 0) return undefined;
  const j = insns[at]!;
  return [...insns.slice(0, at), jump(j.code, j.k, j.jt + 1, j.jf + 1), stmt(0x06, 99), ...insns.slice(at + 1)];
}

// Every case of the interpreter's semantics table, in both byte orders, with and without jump
// tables, and for jumps also with no side falling through.
for (const [name, insns, ret, steps] of SEMANTICS_CASES) {
  const shapes: Array<[string, Insn[]]> = [['', insns]];
  const far = withoutFallThrough(insns);
  if (far) shapes.push([', no fall-through', far]);
  for (const [endian, record] of [['little', data], ['big', swapped]] as const) {
    for (const jumpTables of [true, false]) for (const [shape, program] of shapes) {
      test(`${name} (${endian}-endian${jumpTables ? '' : ', no jump tables'}${shape})`, async () => {
        const f = await compileWasm(validate(program), { endian, jumpTables });
        const withSteps = f.evaluateBatch(record, 1, { steps: true });
        assert.equal([withSteps.rets[0], withSteps.steps?.[0]], [ret, steps]);
        const plain = f.evaluateBatch(record, 1);
        assert.equal([plain.rets[0], plain.steps], [ret, undefined]);
      });
    }
  }
}

/** Random 64-byte records: small values (so jeq/div/shift cases hit) mixed with random bytes. */
function records(count: number, seed: number): Uint8Array {
  const rng = makeRng(seed);
  const out = new Uint8Array(count * 64);
  const view = new DataView(out.buffer);
  for (let w = 0; w < count * 16; w++) view.setUint32(w * 4, rng.chance(0.5) ? rng.int(8) : rng.u32(), true);
  return out;
}

/** The JIT's rets and steps equal the interpreter's on `count` random records. */
async function agreesWithInterpreter(program: Program, endian: ByteOrder, count = 500): Promise<void> {
  const input = records(count, program.length);
  const f = await compileWasm(program, { endian });
  await wabtValidate(f.binary);
  const { rets, steps } = f.evaluateBatch(input, count, { steps: true });
  const fast = f.evaluateBatch(input, count).rets; // without step counting: with jump tables
  for (let i = 0; i < count; i++) {
    const expected = run(program, input.subarray(i * 64, i * 64 + 64), endian);
    assert.equal({ ret: rets[i], steps: steps![i] }, expected, `record ${i}`);
    assert.is(fast[i], expected.ret, `record ${i} (fast path)`);
  }
}

const N = BPF_MAXINSNS;
const ld = (k: number) => stmt(0x20, k);
const RET_A = stmt(0x16, 0);
// The worst shapes for a translator built on nested blocks: no labels at all, a label at every
// instruction, every jump as long as 8 bits allow, and `ja`s spanning the whole program.
const WORST: Record<string, Insn[]> = {
  '4096-long chain': [ld(0), ...Array.from({ length: N - 2 }, (_, i) => stmt(i % 2 ? 0x04 : 0xac, i)), RET_A],
  'a jump target at every instruction': [
    ld(0),
    ...Array.from({ length: N - 3 }, (_, i) => jump(0x15, i & 7, 1, 0)),
    stmt(0x06, 1),
    stmt(0x06, 2),
  ],
  'every jump 255 long': [
    ...Array.from({ length: N - 257 }, (_, i) => (i % 3 ? jump(0x35, i % 5, 255, 254) : ld((i % 16) * 4))),
    ...Array.from({ length: 256 }, (_, i) => stmt(0x06, i)),
    RET_A,
  ],
  'long ja over the program': [
    ...Array.from({ length: N - 2 }, (_, i) =>
      i % 2 ? stmt(0x05, N - 3 - i) : jump(0x45, 1 << (i % 8), 0, 1),
    ),
    stmt(0x06, 7),
    RET_A,
  ],
};

for (const [name, insns] of Object.entries(WORST)) {
  test(`worst shape: ${name} (${insns.length} instructions)`, async () => {
    const program = validate(insns);
    await agreesWithInterpreter(program, 'little', 200);
    await agreesWithInterpreter(program, 'big', 50);
  });
}

test('a jump target at every instruction: a block each, in one function per batch variant', () => {
  const program = validate(WORST['a jump target at every instruction']!);
  const labels = jumpTargets(program).reduce((a, b) => a + b, 0);
  assert.is(labels, N - 3, 'pcs 3..N-1');
  const module = emitModule(program, { jumpTables: false });
  assert.equal(module.funcs.map((f) => f.exportName), ['run', 'run_steps']);
  // Besides the labels' blocks: $done and $ret.
  for (const f of module.funcs) assert.is(f.body.filter((i) => i.op === 'block').length, labels + 2, f.exportName);
});

test('batches: empty, growing, reusing the input area, too short', async () => {
  const program = validate([ld(0), jump(0x25, 3, 0, 1), stmt(0x06, 100), RET_A]);
  const f = await compileWasm(program);
  assert.equal(f.evaluateBatch(new Uint8Array(0), 0, { steps: true }), { rets: new Uint32Array(0), steps: new Uint32Array(0) });
  for (const count of [1, 3, 5000, 70000]) {
    const input = records(count, count);
    const expected = Array.from({ length: count }, (_, i) => run(program, input.subarray(i * 64, i * 64 + 64), 'little').ret);
    assert.equal([...f.evaluateBatch(input, count).rets], expected, `copied batch of ${count}`);
    const area = f.inputArea(count);
    area.set(input);
    assert.equal([...f.evaluateBatch(area, count).rets], expected, `in-place batch of ${count}`);
  }
  assert.throws(() => f.evaluateBatch(new Uint8Array(100), 2), /needs 128 bytes/);
  assert.throws(() => f.evaluateBatch(new Uint8Array(64), -1), RangeError);
});

test('the binary is a WebAssembly module', async () => {
  const f = await compileWasm(validate([stmt(0x06, 0)]));
  assert.equal([...f.binary.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test.run();
