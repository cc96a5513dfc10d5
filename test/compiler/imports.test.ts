/**
 * One-way dependencies of the compiler: src/compiler, src/ir/semantics.ts, src/ir/rule-index.ts and
 * src/ir/nr-spans.ts import only the generic layers below them (bpf, seccomp, syscalls, the IR types and operator table), never the
 * DSL, the loader, the CLI or the launcher.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const ALLOWED = ['bpf/', 'seccomp/', 'syscalls/', 'ir/types.ts', 'ir/operators.ts', 'ir/semantics.ts', 'ir/rule-index.ts', 'ir/nr-spans.ts', 'compiler/'];

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*from\s+'(\.[^']+)'/g)].map((m) =>
    relative(src, resolve(dirname(file), m[1]!)).replace(/\.js$/, '.ts'),
  );
}

test('src/compiler, src/ir/semantics.ts, src/ir/rule-index.ts and src/ir/nr-spans.ts import only bpf, seccomp, syscalls and the IR', () => {
  const files = [
    ...readdirSync(join(src, 'compiler')).map((f) => join(src, 'compiler', f)),
    join(src, 'ir', 'semantics.ts'),
    join(src, 'ir', 'rule-index.ts'),
    join(src, 'ir', 'nr-spans.ts'),
  ];
  for (const file of files) {
    for (const target of importsOf(file)) {
      assert.ok(ALLOWED.some((p) => target.startsWith(p)), `${relative(src, file)} imports ${target}`);
    }
  }
});

test.run();
