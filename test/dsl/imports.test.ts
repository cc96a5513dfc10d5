// Keeps the DSL importable by policy files anywhere: no Node modules, no runtime imports from
// outside src/dsl (types only), and esbuild loaded lazily by the loader alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({ type: !!m[1], from: m[2]! }));

for (const name of readdirSync(join(src, 'dsl'))) {
  test(`src/dsl/${name}: only type imports from outside src/dsl, no Node modules`, () => {
    for (const i of imports(join(src, 'dsl', name))) {
      assert.not.ok(i.from.startsWith('node:'), i.from);
      if (!i.from.startsWith('./')) assert.ok(i.type, `runtime import of ${i.from}`);
    }
  });
}

test('esbuild is imported only by the loader, and only lazily', () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
    for (const i of imports(file)) if (i.from === 'esbuild') assert.ok(i.type, `${file} imports esbuild statically`);
  }
  assert.match(readFileSync(join(src, 'loader/policy-bundle.ts'), 'utf8'), /await import\('esbuild'\)/);
});

test.run();
