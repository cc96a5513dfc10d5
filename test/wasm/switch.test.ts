/**
 * src/wasm/switch.ts: which decision trees get a jump table, where each value of A exits, how many
 * of the tree's jumps it runs on the way, and that identical returns are shared.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { insn, type Insn } from '../../src/bpf/isa.js';
import { run } from '../../src/bpf/interpreter.js';
import { validate } from '../../src/bpf/validate.js';
import { compileWasm } from '../../src/wasm/jit.js';
import { findSwitches } from '../../src/wasm/switch.js';
import { toWat } from '../../src/wasm/wat.js';

const ALLOW = 0x7fff0000;
const ld = (k: number) => insn(0x20, k);
const jeq = (k: number, jt: number, jf: number) => insn(0x15, k, jt, jf);
const jgt = (k: number, jt: number, jf: number) => insn(0x25, k, jt, jf);
const ret = (k: number) => insn(0x06, k);

// Two subtrees, each ending in its own copy of `ret ALLOW` (as libseccomp builds them):
//   0: ld nr; 1: jgt 4 ? 2 : 6
//   2: jeq 7 -> 5; 3: jeq 6 -> 5; 4: ret ERRNO(1); 5: ret ALLOW
//   6: jeq 1 -> 9; 7: jeq 0 -> 9; 8: ret ERRNO(2); 9: ret ALLOW
const TREE: Insn[] = [
  ld(0), jgt(4, 0, 4),
  jeq(7, 2, 0), jeq(6, 1, 0), ret(0x50001), ret(ALLOW),
  jeq(1, 2, 0), jeq(0, 1, 0), ret(0x50002), ret(ALLOW),
];

test('a table per tree: exits, with identical returns shared, and the jumps run for each value', () => {
  const [table, ...rest] = findSwitches(validate(TREE));
  assert.equal(rest, []);
  assert.is(table!.root, 1);
  // A = 0..8: 0 and 1 are allowed by the second subtree's copy, 6 and 7 by the first's: both go to 5.
  assert.equal([...table!.exits], [5, 5, 8, 8, 8, 4, 5, 5, 4]);
  assert.equal([...table!.steps], [3, 2, 3, 3, 3, 3, 3, 2, 3]);
});

test('the JIT with shared returns agrees with the interpreter, steps included', async () => {
  const program = validate(TREE);
  const f = await compileWasm(program);
  const records = new Uint8Array(12 * 64);
  for (let nr = 0; nr < 12; nr++) new DataView(records.buffer).setUint32(nr * 64, nr, true);
  const withSteps = f.evaluateBatch(records, 12, { steps: true });
  const plain = f.evaluateBatch(records, 12);
  for (let nr = 0; nr < 12; nr++) {
    const expected = run(program, records.subarray(nr * 64, nr * 64 + 64), 'little');
    assert.equal([withSteps.rets[nr], withSteps.steps![nr], plain.rets[nr]], [expected.ret, expected.steps, expected.ret], `nr ${nr}`);
  }
});

test('exits that are a ret #k return straight from the table; others go through br_table', () => {
  const direct = toWat(validate(TREE), { comments: false });
  assert.match(direct, /i32\.load(?: offset=\d+)?\n\s+br \$ret/);
  assert.not.match(direct, /br_table/);
  // The same tree with its ERRNO(2) exit replaced by `ld #2; ret a`: A = 2..4 now need a jump.
  const mixed = toWat(validate([...TREE.slice(0, 8), insn(0x00, 2), insn(0x16, 0), ret(ALLOW)].map((ins, pc) =>
    pc === 6 || pc === 7 ? { ...ins, jt: ins.jt + 1 } : ins)), { comments: false });
  assert.match(mixed, /i32\.load8_u offset=\d+\n\s+if\n/);
  assert.match(mixed, /br_table/);
});

test('trees of fewer than 4 jumps get no table', () => {
  assert.equal(findSwitches(validate([ld(0), jeq(1, 0, 1), ret(ALLOW), jeq(2, 0, 1), ret(ALLOW), ret(0)])), []);
});

test.run();
