import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../src/bpf/validate.js';
import { toWat } from '../../src/wasm/wat.js';
import { encodeModule } from '../../src/wasm/binary.js';
import { emitModule } from '../../src/wasm/emit.js';
import { jumpTargets } from '../../src/wasm/layout.js';
import { archDispatch, everyAction, scratchMemory } from '../support/programs.js';
import { expectGolden } from '../support/golden.js';
import { wabtAssemble } from '../../src/wasm/wabt.js';

// The generated text, reviewed once and then held still: a change to the emitter shows up as a
// diff here (UPDATE_GOLDEN=1 rewrites the files). wabt assembles each to the bytes the JIT runs.
const goldens = [
  ['wasm/arch-dispatch.wat', validate(archDispatch), 'little'],
  // Big-endian (byte-swapped loads), scratch cells as locals.
  ['wasm/scratch-memory.big.wat', validate(scratchMemory), 'big'],
  // A jump table over nr 0..9 with both kinds of exit: returned from memory, and by br_table.
  ['wasm/every-action.wat', validate(everyAction), 'little'],
] as const;

for (const [file, program, endian] of goldens) {
  test(`golden ${file}`, async () => {
    const wat = toWat(program, { endian });
    expectGolden(file, wat);
    assert.equal(await wabtAssemble(wat), encodeModule(emitModule(program, { endian })), 'wabt assembles it to our bytes');
  });
}

test('labels at jump targets only (jumps of the program and of jump tables), never at pc 0', () => {
  const labels = (insns: Parameters<typeof jumpTargets>[0], edges: Parameters<typeof jumpTargets>[1] = []) =>
    [...jumpTargets(insns, edges)].flatMap((l, pc) => (l ? [pc] : []));
  // 1 jumps to 4 (x86_64) and falls to 2; 2 to 14 (i386); 8 and 12 to 18 (execve); ...
  assert.equal(labels(archDispatch), [4, 10, 14, 18, 19, 20]);
  assert.equal(labels(archDispatch, [[5, 6], [5, 19]]), [4, 6, 10, 14, 18, 19, 20]);
  assert.throws(() => jumpTargets(archDispatch, [[5, 5]]), /extra edge 5 -> 5 is not a forward jump/);
});

// Nesting: $done, $next, $ret, a block per jump target (6) and a jump table's $tree and `if`.
test('the text has no folded expressions and nests no deeper than its labels and tables', () => {
  const wat = toWat(validate(archDispatch));
  let depth = 0;
  let max = 0;
  for (const line of wat.split('\n').map((l) => l.trim())) {
    if (/^(block|loop|if)\b/.test(line)) max = Math.max(max, ++depth);
    if (/^end\b/.test(line)) depth--;
    assert.not.match(line, /^\(i32\./);
  }
  assert.is(depth, 0);
  assert.ok(max <= 11, `depth ${max}`);
});

test('each end names the label it closes; comments off leaves only the instructions', () => {
  const wat = toWat(validate(archDispatch));
  assert.match(wat, /end ;; \$pc4\n\s+;; 4: ld \[0\]/);
  assert.match(wat, /end ;; \$ret\n\s+i32\.store/);
  const bare = toWat(validate(archDispatch), { comments: false });
  assert.not.match(bare, /;; \d+: /);
  assert.is(bare.split('\n').length, wat.split('\n').length - 2 * archDispatch.length, 'one comment per BPF instruction in each batch function');
});

test.run();
