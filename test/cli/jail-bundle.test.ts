/**
 * jail's start-up path stays lean: the modules dist/cli/jail.js loads statically (following
 * static imports through its chunks, not dynamic import()) and the init stage bundle hold only
 * the launcher, the CLI front, and the small validator/interpreter for the execve check; never
 * the compiler, the policy loader (esbuild), the WebAssembly JIT (wabt), the OCI import or the
 * syscall tables. Needs a built dist/ (npm test builds first).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { root } from '../support/jail.js';

// Of src/loader, only the extension table (src/source reads a file's kind with it).
const FORBIDDEN = [/^src\/compiler\//, /^src\/loader\/(?!extensions\.ts$)/, /^src\/wasm\//, /^src\/oci\//, /^src\/syscalls\/tables\.ts$/, /^src\/ir\//];
const FORBIDDEN_PACKAGES = ['esbuild', 'wabt'];

/** Source files (from esbuild's `// src/...` markers) and packages in the static graph of `file`. */
function staticGraph(file: string, seen = new Set<string>()): { sources: Set<string>; packages: Set<string> } {
  const sources = new Set<string>();
  const packages = new Set<string>();
  if (seen.has(file)) return { sources, packages };
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) sources.add(m[1]!);
  // Static imports only: `import ... from "x"` / `import "x"` / require("x") at top level.
  for (const m of text.matchAll(/^(?:import\s[^;]*?from\s|import\s)"([^"]+)";?$/gms)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) {
      const sub = staticGraph(resolve(dirname(file), spec), seen);
      sub.sources.forEach((s) => sources.add(s));
      sub.packages.forEach((p) => packages.add(p));
    } else if (!spec.startsWith('node:')) packages.add(spec);
  }
  for (const m of text.matchAll(/\brequire\("([^".][^"]*)"\)/g)) if (!m[1]!.startsWith('node:')) packages.add(m[1]!);
  return { sources, packages };
}

for (const entry of ['dist/cli/jail.js', 'dist/cli/jail-init.cjs']) {
  test(`${entry}: nothing heavy on the start-up path`, () => {
    const file = join(root, entry);
    assert.ok(existsSync(file), `${entry} is not built (npm run build)`);
    const { sources, packages } = staticGraph(file);
    assert.ok(sources.has('src/launcher/init/namespaces.ts'), 'esbuild source markers missing: cannot check the graph');
    const heavy = [...sources].filter((s) => FORBIDDEN.some((f) => f.test(s)));
    assert.equal(heavy, []);
    assert.equal([...packages].filter((p) => FORBIDDEN_PACKAGES.includes(p)), []);
    assert.equal([...packages].sort(), ['koffi']);
  });
}

test('the init stage is one file with only the launcher, the seccomp ABI, the Arch descriptors and the socket/clone constants (no syscall table, not the policy constants)', () => {
  const { sources } = staticGraph(join(root, 'dist/cli/jail-init.cjs'));
  assert.equal([...sources].filter((s) => !s.startsWith('src/launcher/') && s !== 'src/cli/jail/jail-init.ts').sort(), [
    'src/seccomp/abi.ts',
    'src/syscalls/arch.ts',
    'src/syscalls/host-syscalls.ts',
    'src/syscalls/socket-clone-constants.ts',
  ]);
});

test.run();
