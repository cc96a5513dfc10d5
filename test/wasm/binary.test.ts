/**
 * src/wasm/binary.ts against wabt: the same text, the same bytes, on the emitter's output for
 * random programs (every seccomp opcode, both byte orders, with and without jump tables, cut into
 * chunks wabt.js can parse) and random decision trees; and text outside the subset is refused
 * with the line it is on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../src/bpf/validate.js';
import { insn } from '../../src/bpf/isa.js';
import { assembleWat } from '../../src/wasm/binary.js';
import { WABT_MAX_LABELS } from '../../src/wasm/layout.js';
import { toWat } from '../../src/wasm/wat.js';
import { makeRng, randomValidProgram } from '../support/random-program.js';
import { wabtAssemble } from '../../src/wasm/wabt.js';

test('the same bytes as wabt on 60 random programs', async () => {
  const rng = makeRng(4242);
  for (let p = 0; p < 60; p++) {
    const program = validate(randomValidProgram(rng, p % 10 === 0 ? { length: 500 + rng.int(1500) } : {}));
    const wat = toWat(program, {
      endian: rng.chance(0.5) ? 'big' : 'little',
      comments: rng.chance(0.5),
      jumpTables: rng.chance(0.8),
      maxLabels: rng.pick([1, 3, WABT_MAX_LABELS]),
    });
    assert.equal(assembleWat(wat), await wabtAssemble(wat), `program ${p}`);
  }
});

test('the same bytes as wabt on jump tables with exits in later chunks', async () => {
  // ld nr; a jeq chain over nr 0..39 (a decision tree: a jump table goes in front), each to its
  // own exit: `ret #k` (returned straight from the table) or `ld #k; ret a` (reached by br_table).
  const n = 40;
  const direct = validate([
    insn(0x20, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x15, i, n - i, 0)),
    insn(0x06, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x06, 0x50000 + i)),
  ]);
  const jumped = validate([
    insn(0x20, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x15, i, n + i, 0)),
    insn(0x06, 0),
    ...Array.from({ length: n }, (_, i) => [insn(0x00, 0x50000 + i), insn(0x16, 0)]).flat(),
  ]);
  for (const [program, shape] of [[direct, /i32\.load8?_?u? offset/], [jumped, /br_table/]] as const) {
    for (const maxLabels of [2, 7, WABT_MAX_LABELS]) {
      const wat = toWat(program, { maxLabels });
      assert.match(wat, shape);
      assert.equal(assembleWat(wat), await wabtAssemble(wat), `maxLabels ${maxLabels}`);
    }
  }
});

const module = (body: string) =>
  `(module\n  (memory (export "memory") 1)\n  (func (export "run") (param $in i32) (result i32)\n    (local $A i32)\n${body}\n  )\n)\n`;

const REFUSED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['an instruction outside the subset', 'i64.const 1\ndrop\ni32.const 0', /line 5: unsupported instruction: i64\.const 1/],
  ['a branch to an unknown label', 'block $a\nbr $b\nend\ni32.const 0', /line 6: unknown label \$b/],
  ['a branch to a closed label', 'block $a\nend\nbr $a\ni32.const 0', /line 7: unknown label \$a/],
  ['an unknown local', 'local.get $B', /line 5: unknown local \$B/],
  ['an unknown function', 'i32.const 0\ncall $nowhere', /line 6: unknown function \$nowhere/],
  ['a block left open', 'block $a\ni32.const 0', /line 3: 1 block\(s\) left open/],
  ['an end too many', 'i32.const 0\nend', /line 6: end without a block/],
  ['a constant beyond 32 bits', 'i32.const 0x100000000', /line 5: bad constant/],
  ['a block type outside the subset', 'block $a (result i64)\nend', /line 5: unsupported block type/],
];

for (const [what, body, error] of REFUSED) {
  test(`refuses ${what}, naming the line`, () => {
    assert.throws(() => assembleWat(module(body)), error);
  });
}

test('deep nesting: 5,000 blocks in one function', async () => {
  const depth = 5000;
  const body = [
    ...Array.from({ length: depth }, (_, i) => `block $b${i}`),
    'local.get $in',
    `br_table $b${depth - 1} $b0 $b${depth >> 1}`,
    ...Array.from({ length: depth }, (_, i) => `end ;; $b${depth - 1 - i}`),
    'i32.const 7',
  ].join('\n');
  const binary = assembleWat(module(body));
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
  const { instance } = await wasm.instantiate(binary);
  assert.is((instance.exports.run as (x: number) => number)(2), 7);
});

test.run();
