/**
 * Golden files: expected outputs kept in test/golden/, compared exactly (byte for byte, no
 * trimming or dedenting) and shown as a line diff when they differ. `UPDATE_GOLDEN=1` rewrites
 * them from the actual output instead of comparing; review the resulting `git diff` before committing.
 *
 *   expectGolden('disasm/arch-dispatch.txt', disassemble(program));
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Assertion } from 'uvu/assert';
import { lines } from 'uvu/diff';

/** test/golden/, where relative golden paths are resolved. */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with the golden file `path` (relative to test/golden/), or rewrites it under UPDATE_GOLDEN=1. */
export function expectGolden(path: string, actual: string): void {
  const file = isAbsolute(path) ? path : join(GOLDEN_DIR, path);
  const shown = relative(process.cwd(), file);
  if (updatingGolden()) {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== actual) writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Assertion({
      message: `golden file ${shown} is missing: run the test with UPDATE_GOLDEN=1 to create it`,
      operator: 'golden',
      expects: undefined,
      actual,
    });
  }
  const expected = readFileSync(file, 'utf8');
  if (expected === actual) return;
  throw new Assertion({
    message: `output differs from golden file ${shown} (UPDATE_GOLDEN=1 rewrites it):`,
    details: lines(actual, expected, 1),
    operator: 'golden',
    expects: expected,
    actual,
  });
}
