/**
 * The seccompile package's root directory, found from this module's location (never from
 * the working directory): built-in filters live in `<root>/bpf/`, the init stage in
 * `<root>/dist/cli/jail-init.cjs`. Works from dist/ bundles, their chunks, and src/ under tsx.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'seccompile') return (cached = dir);
      } catch {
        // Not ours; keep looking.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the seccompile package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
