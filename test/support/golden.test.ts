import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectGolden } from './golden.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-golden-'));
const saved = process.env.UPDATE_GOLDEN;

/** The message of what `fn` throws (uvu's assert.throws rethrows assertion errors, so catch here). */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'did not throw';
}

test('matching content passes; any difference, even whitespace, fails with a line diff', () => {
  delete process.env.UPDATE_GOLDEN;
  const path = join(dir, 'a.txt');
  writeFileSync(path, '  one\ntwo\n');
  expectGolden(path, '  one\ntwo\n');
  assert.match(failure(() => expectGolden(path, 'one\ntwo\n')), /differs from golden file/);
  assert.match(failure(() => expectGolden(path, '  one\ntwo')), /differs from golden file/);
});

test('a missing golden file fails and says how to create it', () => {
  delete process.env.UPDATE_GOLDEN;
  assert.match(failure(() => expectGolden(join(dir, 'missing.txt'), 'x')), /missing: run the test with UPDATE_GOLDEN=1/);
});

test('UPDATE_GOLDEN=1 writes the actual output (creating directories)', () => {
  process.env.UPDATE_GOLDEN = '1';
  const path = join(dir, 'sub', 'b.txt');
  expectGolden(path, 'new\n');
  assert.is(readFileSync(path, 'utf8'), 'new\n');
  if (saved === undefined) delete process.env.UPDATE_GOLDEN;
  else process.env.UPDATE_GOLDEN = saved;
});

test.run();
