/**
 * The built interpreter keeps the shape V8 needs for a jump table: every `case` of the opcode
 * switch in each dist/ file that bundles src/bpf/interpreter.ts is a numeric literal. A named
 * constant there becomes a module-level `var` in the bundle, and V8 then tests the labels one by
 * one (the shipped interpreter ran 3.5x slower than the source that way). Structural, not timed:
 * bench/interpreter.bench.ts measures the speed. Needs a built dist/ (npm test builds first).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPCODES } from '../../src/bpf/isa.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MARKER = '// src/bpf/interpreter.ts\n';

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return /\.c?js$/.test(name) ? [path] : [];
  });
}

/** The labels of the `switch (codes[pc])` in the interpreter's part of a bundled file. */
function switchLabels(text: string): string[] {
  const start = text.indexOf(MARKER);
  const next = text.indexOf('\n// src/', start + MARKER.length);
  const part = text.slice(start, next < 0 ? undefined : next);
  const sw = part.indexOf('switch (codes[pc])');
  assert.ok(sw >= 0, 'the interpreter no longer switches on codes[pc]: update this test with it');
  const body = part.slice(sw, part.indexOf('default:', sw));
  return [...body.matchAll(/^\s*case ([^:]+):/gm)].map((m) => m[1]!.trim());
}

const bundles = jsFiles(join(root, 'dist')).filter((f) => readFileSync(f, 'utf8').includes(MARKER));

test('dist/ is built and bundles the interpreter', () => {
  assert.ok(bundles.length > 0, 'no dist/ file contains src/bpf/interpreter.ts: run npm run build');
});

const seccompCodes = OPCODES.filter((o) => o.seccomp)
  .map((o) => o.code)
  .sort((a, b) => a - b);

for (const file of bundles) {
  test(`${relative(root, file)}: the opcode switch has a literal label for each seccomp opcode`, () => {
    const labels = switchLabels(readFileSync(file, 'utf8'));
    const named = labels.filter((l) => !/^(0x[0-9a-f]+|\d+)$/i.test(l));
    assert.equal(named, [], 'case labels must be numeric literals (a named constant is a var in the bundle)');
    assert.equal(labels.map(Number).sort((a, b) => a - b), seccompCodes);
  });
}

test.run();
