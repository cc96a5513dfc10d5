/**
 * wabt is large: only src/wasm/wabt.ts loads it, and only `seccompile wasm` imports that module,
 * dynamically: the JIT never runs it. Only the commands that run the JIT (and the package index)
 * may import src/wasm/, so compiling a policy or starting `jail` never pays for it. src/wasm/
 * itself depends on src/bpf/ and src/seccomp/ only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(process.cwd(), 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = files(SRC).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));
const imports = (text: string): string[] => [...text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)].map((m) => m[1]!);

test('only src/wasm/wabt.ts loads wabt, and only seccompile wasm reaches that module, by a dynamic import', () => {
  assert.equal(sources.filter((s) => imports(s.text).includes('wabt')).map((s) => s.path), ['wasm/wabt.ts']);
  for (const s of sources) {
    assert.not.match(s.text, /from\s+'[^']*wabt\.js'/, `${s.path} imports wabt.ts statically`);
  }
  const users = sources.filter((s) => imports(s.text).some((i) => i.endsWith('/wabt.js'))).map((s) => s.path);
  assert.equal(users, ['cli/commands/wasm.ts']);
});

test('src/wasm/ is imported by the JIT commands and the index only', () => {
  const users = sources
    .filter((s) => !s.path.startsWith('wasm/') && imports(s.text).some((i) => i.includes('/wasm/')))
    .map((s) => s.path)
    .sort();
  assert.equal(users, ['cli/commands/eval.ts', 'cli/commands/verify.ts', 'cli/commands/wasm.ts', 'index.ts']);
  for (const cmd of ['eval', 'verify']) {
    const text = sources.find((s) => s.path === `cli/commands/${cmd}.ts`)!.text;
    assert.not.match(text, /from\s+'[^']*\/wasm\//, `${cmd} loads the JIT only when it uses it`);
  }
});

test('src/wasm/ depends on src/bpf/ and src/seccomp/ only', () => {
  for (const s of sources.filter((x) => x.path.startsWith('wasm/'))) {
    for (const i of imports(s.text).filter((x) => x.startsWith('.'))) {
      assert.ok(/^\.\.\/(bpf|seccomp)\/|^\.\//.test(i), `${s.path} imports ${i}`);
    }
  }
});

test.run();
