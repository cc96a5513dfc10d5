/**
 * The interpreter keeps the shape V8 needs for speed whether it runs from source or from a
 * bundle: its run functions are generated text (src/bpf/interpreter.ts), so a bundler cannot turn
 * their case labels into variables (a named constant there becomes a module-level `var` in the
 * bundle, and V8 then tests the labels one by one: the shipped interpreter once ran 3.5x slower
 * than the source that way). Checked here: the loop's labels are number literals, one per seccomp
 * opcode; a specialised function dispatches only on jump targets; and dist/'s Interpreter gives
 * the semantics cases' results both ways. Structural, not timed: bench/interpreter.bench.ts
 * measures the speed. Needs a built dist/ (npm test builds first).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OPCODES, jump, stmt } from '../../src/bpf/isa.js';
import { loopSource, specialisedSource } from '../../src/bpf/interpreter.js';
import { validate } from '../../src/bpf/validate.js';
import { SEMANTICS_CASES as cases, view } from '../support/semantics-cases.js';
import { LOOP_FILE, renderInterpreterLoop } from '../../scripts/gen-interpreter.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const labels = (text: string): string[] => [...text.matchAll(/^\s*case ([^:]+):/gm)].map((m) => m[1]!.trim());

test('the loop has a number-literal case label for each seccomp opcode', () => {
  const seccompCodes = OPCODES.filter((o) => o.seccomp)
    .map((o) => o.code)
    .sort((a, b) => a - b);
  const found = labels(loopSource());
  assert.equal(found.filter((l) => !/^\d+$/.test(l)), [], 'case labels must be number literals');
  assert.equal(found.map(Number).sort((a, b) => a - b), seccompCodes);
});

test('src/bpf/interpreter-loop.ts is the loop SEMANTICS gives (else: npm run gen:interpreter)', () => {
  assert.ok(readFileSync(LOOP_FILE, 'utf8') === renderInterpreterLoop(), 'src/bpf/interpreter-loop.ts is stale: run `npm run gen:interpreter` and commit it');
});

test('a specialised function has a case for pc 0 and each jump target only', () => {
  // 0: ld [0]; 1: jeq #1, 0, 2 (to 2 or 4); 2: ja +2 (to 5); 3: ret #3; 4: ret #4; 5: ret #5
  const program = validate([stmt(0x20, 0), jump(0x15, 1, 0, 2), stmt(0x05, 2), stmt(0x06, 3), stmt(0x06, 4), stmt(0x06, 5)]);
  assert.equal(labels(specialisedSource(program)), ['0', '2', '4', '5']);
});

const dist = join(root, 'dist', 'bpf.js');

test('dist/ is built', () => {
  assert.ok(existsSync(dist), 'no dist/bpf.js: run npm run build');
});

test("dist/'s Interpreter gives the semantics cases' results, specialised and by the loop", async () => {
  const { Interpreter } = (await import(pathToFileURL(dist).href)) as typeof import('../../src/exports/bpf.js');
  for (const [name, insns, ret, steps] of cases) {
    for (const specialise of [true, false]) {
      const it = new Interpreter(validate(insns), specialise);
      assert.is(it.specialised, specialise);
      assert.equal({ ret: it.run(view, true), steps: it.steps }, { ret, steps }, `${name} (${specialise ? 'specialised' : 'loop'})`);
    }
  }
});

test.run();
