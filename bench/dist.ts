/**
 * The built package (dist/), as users run it: benchmarks time this, not the TypeScript source,
 * since the bundler can change what V8 makes of the code (a module's top-level `const` becomes a
 * `var`, for one). Typed as the source's public API (the root and its subpath exports), which
 * dist/ is built from.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Seccompile = typeof import('../src/index.js') &
  typeof import('../src/exports/compiler.js') &
  typeof import('../src/exports/bpf.js') &
  typeof import('../src/exports/oci.js') &
  typeof import('../src/exports/analysis.js');

/** dist/ files of the entries Seccompile joins. */
const ENTRIES = ['index', 'compiler', 'bpf', 'oci', 'analysis'];

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The package's entries from dist/ as one object, or an error that says to build them. */
export async function loadDist(): Promise<Seccompile> {
  const modules = await Promise.all(
    ENTRIES.map(async (name) => {
      const file = join(root, 'dist', `${name}.js`);
      if (!existsSync(file)) throw new Error(`dist/${name}.js is missing: run \`npm run build\` before \`npm run bench\``);
      return (await import(pathToFileURL(file).href)) as object;
    }),
  );
  return Object.assign({}, ...modules) as Seccompile;
}
