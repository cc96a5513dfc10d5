/**
 * The built package (dist/), as users run it: benchmarks time this, not the TypeScript source,
 * since the bundler can change what V8 makes of the code (a module's top-level `const` becomes a
 * `var`, for one). Typed as the source's public API, which dist/index.js is built from.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Seccompile = typeof import('../src/index.js');

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** dist/index.js, or an error that says to build it. */
export async function loadDist(): Promise<Seccompile> {
  const file = join(root, 'dist', 'index.js');
  if (!existsSync(file)) throw new Error('dist/index.js is missing: run `npm run build` before `npm run bench`');
  return (await import(pathToFileURL(file).href)) as Seccompile;
}
