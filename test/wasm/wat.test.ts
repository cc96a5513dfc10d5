import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../src/bpf/validate.js';
import { toWat } from '../../src/wasm/wat.js';
import { assembleWat } from '../../src/wasm/binary.js';
import { layout } from '../../src/wasm/layout.js';
import { archDispatch, everyAction, scratchMemory } from '../support/programs.js';
import { expectGolden } from '../support/golden.js';
import { wabtAssemble } from '../../src/wasm/wabt.js';

// The generated text, reviewed once and then held still: a change to the emitter shows up as a
// diff here (UPDATE_GOLDEN=1 rewrites the files).
const goldens = [
  ['wasm/arch-dispatch.wat', toWat(validate(archDispatch))],
  // Big-endian (byte-swapped loads), scratch cells as locals, one label a chunk: chunk functions.
  ['wasm/scratch-memory.big.chunked.wat', toWat(validate(scratchMemory), { endian: 'big', maxLabels: 1 })],
  // A jump table over nr 0..9 whose exits lie in later chunks: reached through tail-call stubs.
  ['wasm/every-action.chunked.wat', toWat(validate(everyAction), { maxLabels: 4 })],
] as const;

for (const [file, wat] of goldens) {
  test(`golden ${file}`, async () => {
    expectGolden(file, wat);
    assert.equal(assembleWat(wat), await wabtAssemble(wat), 'our assembler and wabt agree byte for byte');
  });
}

test('layout: labels at jump targets only, entries where earlier chunks jump in', () => {
  const plan = layout(validate(archDispatch), 2);
  assert.equal(
    plan.chunks.map((c) => [c.start, c.end, c.labels, c.entries]),
    [
      [0, 14, [4, 10], []],
      [14, 19, [14, 18], [14, 18]], // 14 from 2 (i386), 18 from 8 and 12 (execve)
      [19, 21, [19, 20], [19, 20]],
    ],
  );
});

// Nesting: $done, $next, $ret, a block per jump target (6) and a jump table's $tree and stubs (4).
test('the text has no folded expressions and nests no deeper than its labels and stubs', () => {
  const wat = toWat(validate(archDispatch));
  let depth = 0;
  let max = 0;
  for (const line of wat.split('\n').map((l) => l.trim())) {
    if (/^(block|loop|if)\b/.test(line)) max = Math.max(max, ++depth);
    if (/^end\b/.test(line)) depth--;
    assert.not.match(line, /^\(i32\./);
  }
  assert.is(depth, 0);
  assert.ok(max <= 14, `depth ${max}`);
});

test.run();
